package io.berth.backup;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The little of POSIX ustar a backup archive needs, so that {@code tar -xf} (GNU or bsdtar) reads
 * one: regular files with short names, mode 0600, and sizes beyond ustar's 8 GiB in the base-256
 * form GNU tar and bsdtar both read. Pure stream code; not thread-safe.
 */
final class Tar {

    static final int BLOCK = 512;
    private static final long USTAR_MAX = 077777777777L;

    private Tar() {
    }

    /** One entry's header: its name and its content's size. */
    record Entry(String name, long size) {
    }

    /** Writes the header of a regular file entry of {@code size} bytes; its content and {@link #pad} follow. */
    static void header(OutputStream out, String name, long size, long mtimeSeconds) throws IOException {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 99) {
            throw new IllegalArgumentException("tar entry name too long: " + name);
        }
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, 0600);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size <= USTAR_MAX) {
            octal(h, 124, 12, size);
        } else {
            h[124] = (byte) 0x80; // base-256: the rest of the field is the size, big-endian
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        octal(h, 136, 12, mtimeSeconds);
        h[156] = '0';
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        out.write(h);
    }

    /** Zeros up to the next block after {@code size} content bytes. */
    static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    /** The end of an archive: two zero blocks. */
    static void end(OutputStream out) throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    /**
     * Reads the next header, or null at the end of the archive (a zero block).
     *
     * @throws IOException when the archive ends inside a header or the header is not a valid
     *                     ustar header of a regular file
     */
    static Entry next(InputStream in) throws IOException {
        byte[] h = in.readNBytes(BLOCK);
        if (h.length == 0) {
            throw new EOFException("the archive ends without its end marker (truncated)");
        }
        if (h.length < BLOCK) {
            throw new EOFException("the archive ends inside a header (truncated)");
        }
        boolean zero = true;
        for (byte b : h) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return null;
        }
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : h[i] & 0xff;
        }
        if (sum != parseOctal(h, 148, 8)) {
            throw new IOException("a tar header's checksum does not match (not a Berth backup archive, or damaged)");
        }
        if (h[156] != '0' && h[156] != 0) {
            throw new IOException("a tar entry that is not a regular file (type " + (char) h[156] + ")");
        }
        int len = 0;
        while (len < 100 && h[len] != 0) {
            len++;
        }
        String name = new String(h, 0, len, StandardCharsets.UTF_8);
        long size;
        if ((h[124] & 0x80) != 0) {
            size = 0;
            for (int i = 128; i < 136; i++) {
                size = (size << 8) | (h[i] & 0xff);
            }
        } else {
            size = parseOctal(h, 124, 12);
        }
        if (size < 0) {
            throw new IOException("tar entry " + name + " has a negative size");
        }
        return new Entry(name, size);
    }

    /** Skips the padding after an entry's {@code size} content bytes. */
    static void skipPad(InputStream in, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0 && in.readNBytes(BLOCK - rest).length != BLOCK - rest) {
            throw new EOFException("the archive ends inside an entry's padding (truncated)");
        }
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        byte[] b = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private static long parseOctal(byte[] h, int off, int len) throws IOException {
        int i = off;
        while (i < off + len && h[i] == ' ') {
            i++;
        }
        long v = 0;
        for (; i < off + len && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') {
                throw new IOException("a tar header has a field that is not octal (not a Berth backup archive)");
            }
            v = v * 8 + (h[i] - '0');
        }
        return v;
    }
}
