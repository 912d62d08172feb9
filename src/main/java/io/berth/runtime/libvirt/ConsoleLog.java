package io.berth.runtime.libvirt;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A VM's serial console as a log: the file QEMU writes, printed with Unix line ends (the guest
 * writes CR LF), optionally only its last lines, optionally followed while the domain runs.
 */
final class ConsoleLog {

    static final long POLL_MS = 200;

    private ConsoleLog() {
    }

    static void copy(Path file, int tail, boolean follow, BooleanSupplier running, OutputStream out) throws IOException {
        long offset = 0;
        if (Files.exists(file)) {
            byte[] all = Files.readAllBytes(file);
            offset = all.length;
            String text = clean(new String(all, StandardCharsets.UTF_8));
            if (tail >= 0) {
                List<String> lines = text.lines().toList();
                text = String.join("\n", lines.subList(Math.max(0, lines.size() - tail), lines.size()))
                        + (lines.isEmpty() ? "" : "\n");
            }
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        while (follow && running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            offset = more(file, offset, out);
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (follow) {
            more(file, offset, out);
        }
    }

    private static long more(Path file, long offset, OutputStream out) throws IOException {
        if (!Files.exists(file)) {
            return offset;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length < offset) {
                offset = 0; // a new boot truncated the log
            }
            if (length == offset) {
                return offset;
            }
            byte[] buf = new byte[(int) Math.min(length - offset, 1 << 20)];
            f.seek(offset);
            f.readFully(buf);
            out.write(clean(new String(buf, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            return offset + buf.length;
        }
    }

    private static String clean(String s) {
        return s.replace("\r", "");
    }
}
