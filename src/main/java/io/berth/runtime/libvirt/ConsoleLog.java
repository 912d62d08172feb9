package io.berth.runtime.libvirt;

import io.berth.util.StopSignal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A VM's serial console as a log: the file QEMU writes, printed with Unix line ends (the guest
 * writes CR LF; every CR byte is dropped, which is safe in UTF-8), optionally only its last lines,
 * optionally followed while the domain runs. {@code --tail N} reads the file backwards from its
 * end in blocks until it has N lines, so its cost follows N, not the size of a console that has
 * grown for months; the rest is copied in blocks, never read whole into memory.
 */
final class ConsoleLog {

    static final long POLL_MS = 200;
    static final int BLOCK = 64 * 1024;

    private ConsoleLog() {
    }

    /**
     * Copies the console (its last {@code tail} lines; -1 all) to {@code out}, then with
     * {@code follow} what is appended while {@code running} holds and {@code stop} has not fired.
     *
     * @return the bytes read from the file (what tail costs; for tests)
     */
    static long copy(Path file, int tail, boolean follow, BooleanSupplier running, StopSignal stop, OutputStream out)
            throws IOException {
        long offset = 0;
        long read = 0;
        if (Files.exists(file)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long end = ch.size();
                long[] scanned = {0};
                long start = tail < 0 ? 0 : tailStart(ch, end, tail, scanned);
                read += scanned[0];
                read += copyRange(ch, start, end, out);
                if (tail > 0 && end > start && !endsWithNewline(ch, end)) {
                    out.write('\n'); // a line still being written counts as one, and ends like the others
                }
                out.flush();
                offset = end;
            }
        }
        try {
            while (follow && !stop.stopped() && running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
                long[] more = more(file, offset, out);
                offset = more[0];
                read += more[1];
                stop.await(Duration.ofMillis(POLL_MS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (follow && !stop.stopped()) {
            read += more(file, offset, out)[1];
        }
        return read;
    }

    /**
     * Where the last {@code lines} lines of the first {@code end} bytes begin: just after the
     * {@code lines}-th newline from the end, not counting one that ends the file. Reads backwards,
     * one block at a time; {@code scanned[0]} gets the bytes read.
     */
    static long tailStart(FileChannel ch, long end, int lines, long[] scanned) throws IOException {
        if (lines == 0) {
            return end;
        }
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        int found = 0;
        boolean last = true; // the file's last byte: a newline there ends the last line, it starts none
        for (long pos = end; pos > 0; ) {
            long from = Math.max(0, pos - BLOCK);
            buf.clear().limit((int) (pos - from));
            int n = readFully(ch, buf, from);
            scanned[0] += n;
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n' && !last && ++found == lines) {
                    return from + i + 1;
                }
                last = false;
            }
            pos = from;
        }
        return 0;
    }

    private static boolean endsWithNewline(FileChannel ch, long end) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return readFully(ch, one, end - 1) == 1 && one.get(0) == '\n';
    }

    private static long copyRange(FileChannel ch, long from, long to, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        long read = 0;
        for (long pos = from; pos < to; ) {
            buf.clear().limit((int) Math.min(BLOCK, to - pos));
            int n = readFully(ch, buf, pos);
            if (n <= 0) {
                break;
            }
            writeClean(buf.array(), n, out);
            pos += n;
            read += n;
        }
        return read;
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** What was appended since {@code offset}: {new offset, bytes read}. */
    private static long[] more(Path file, long offset, OutputStream out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length < offset) {
                offset = 0; // a new boot truncated the log
            }
            long read = copyRange(ch, offset, length, out);
            out.flush();
            return new long[] {offset + read, read};
        } catch (NoSuchFileException e) {
            return new long[] {offset, 0};
        }
    }

    private static void writeClean(byte[] b, int n, OutputStream out) throws IOException {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (b[i] == '\r') {
                out.write(b, start, i - start);
                start = i + 1;
            }
        }
        out.write(b, start, n - start);
    }
}
