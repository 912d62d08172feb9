package io.berth.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the busybox test guest tells from outside: its serial console and the first bytes of its disk. */
public final class Guest {

    private Guest() {
    }

    /** Waits (up to 120 s) until the serial console log holds {@code line}; fails with the log otherwise. */
    public static void awaitConsole(Path console, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(console) && Files.readString(console).contains(line)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no '" + line + "' on the serial console within 120 s:\n"
                + (Files.exists(console) ? Files.readString(console) : "(no console log)"));
    }

    /** The first bytes of the guest-visible disk, read through its backing chain with qemu-img. */
    public static String firstBytes(Path disk) throws Exception {
        Path raw = Files.createTempFile("berth-disk", ".raw");
        try {
            Processes.Result r = Processes.run(List.of("qemu-img", "dd", "-U", "-f", "qcow2", "-O", "raw", "bs=512",
                    "count=1", "if=" + disk, "of=" + raw), Map.of(), null, Duration.ofSeconds(30));
            assertThat(r.exit()).as(r.err()).isZero();
            byte[] bytes = Files.readAllBytes(raw);
            return new String(bytes, 0, Math.min(32, bytes.length), StandardCharsets.ISO_8859_1);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    /** The sha256 of a file's bytes, hex. */
    public static String sha256(Path file) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
