package io.berth.runtime.libvirt;

import io.berth.util.StopSignal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Tails read from the end (cost follows the lines asked for, not the file), CR LF becomes LF, a follow stops on signal. */
class ConsoleLogTest {

    @TempDir
    Path dir;

    static String tail(Path file, int n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleLog.copy(file, n, false, () -> false, new StopSignal(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tailOfAFiftyMegabyteConsoleReadsOnlyItsEnd() throws Exception {
        Path file = dir.resolve("console.log");
        StringBuilder block = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            block.append("boot line ").append(i).append(" of a long-running guest, padded to be long\r\n");
        }
        byte[] chunk = block.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream o = Files.newOutputStream(file)) {
            while (Files.size(file) < 50L * 1024 * 1024) {
                o.write(chunk);
                o.flush();
            }
        }
        assertThat(Files.size(file)).isGreaterThanOrEqualTo(50L * 1024 * 1024);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long started = System.nanoTime();
        long read = ConsoleLog.copy(file, 10, false, () -> false, new StopSignal(), out);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.printf("ConsoleLog --tail 10 of %d bytes: read %d bytes in %d ms%n", Files.size(file), read, millis);
        assertThat(text.lines()).hasSize(10).first().isEqualTo("boot line 9990 of a long-running guest, padded to be long");
        assertThat(text).endsWith("boot line 9999 of a long-running guest, padded to be long\n").doesNotContain("\r");
        assertThat(read).as("bytes read for --tail 10 of a 50 MB console").isLessThanOrEqualTo(2L * ConsoleLog.BLOCK);
        assertThat(millis).as("milliseconds").isLessThan(500);
    }

    @Test
    void tailCountsLinesLikeTheWholeFileWould() throws Exception {
        Path file = Files.writeString(dir.resolve("c.log"), "a\r\nb\r\nc\r\n");
        assertThat(tail(file, 2)).isEqualTo("b\nc\n");
        assertThat(tail(file, 3)).isEqualTo("a\nb\nc\n");
        assertThat(tail(file, 10)).isEqualTo("a\nb\nc\n");
        assertThat(tail(file, 0)).isEmpty();
        assertThat(tail(file, -1)).isEqualTo("a\nb\nc\n");
        Path partial = Files.writeString(dir.resolve("p.log"), "a\nb\nhalf a lin");
        assertThat(tail(partial, 1)).isEqualTo("half a lin\n");
        assertThat(tail(partial, 2)).isEqualTo("b\nhalf a lin\n");
        assertThat(tail(partial, -1)).isEqualTo("a\nb\nhalf a lin");
        Path blank = Files.writeString(dir.resolve("b.log"), "a\n\n\n");
        assertThat(tail(blank, 2)).isEqualTo("\n\n");
        Path longLines = dir.resolve("l.log");
        String big = "x".repeat(ConsoleLog.BLOCK * 2 + 7);
        Files.writeString(longLines, "first\n" + big + "\n" + big + "\n");
        assertThat(tail(longLines, 2)).isEqualTo(big + "\n" + big + "\n");
        assertThat(tail(dir.resolve("missing.log"), 5)).isEmpty();
    }

    @Test
    void aFollowPrintsWhatIsAppendedAndEndsWhenStopped() throws Exception {
        Path file = Files.writeString(dir.resolve("f.log"), "old\r\n");
        StopSignal stop = new StopSignal();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Long> follow = CompletableFuture.supplyAsync(() -> {
            try {
                return ConsoleLog.copy(file, 5, true, () -> true, stop, out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Files.writeString(file, "new\r\n", StandardOpenOption.APPEND);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!out.toString(StandardCharsets.UTF_8).contains("new") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("old\nnew\n");
        long stopped = System.nanoTime();
        stop.stop();
        follow.get(2, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped)).as("ms to end after stop").isLessThan(500);
    }
}
