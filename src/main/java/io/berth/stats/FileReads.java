package io.berth.stats;

import java.io.FileInputStream;
import java.io.IOException;

/**
 * Reads small kernel files (cgroup, proc) into one reusable buffer: a sample of 200 workloads
 * reads about a thousand such files a second, so nothing per read is kept and no string is
 * made. Not thread-safe: one instance per thread.
 */
final class FileReads {

    private final byte[] buffer;
    private int length;

    FileReads(int capacity) {
        this.buffer = new byte[capacity];
    }

    /**
     * Reads up to the buffer's capacity of the file (enough for every file sampled; only the
     * first line of /proc/stat is needed). Returns false when the file is gone or unreadable
     * (a stopped container's cgroup is removed by the kernel).
     */
    boolean read(String path) {
        length = 0;
        try (FileInputStream in = new FileInputStream(path)) {
            int n;
            while (length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0) {
                length += n;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The value of one file ({@link CgroupText#single}), or {@link CgroupText#ABSENT} when it is gone. */
    long single(String path) {
        return read(path) ? CgroupText.single(buffer, length) : CgroupText.ABSENT;
    }

    long keyed(byte[] key) {
        return CgroupText.keyed(buffer, length, key);
    }

    long field(int n) {
        return CgroupText.field(buffer, length, n);
    }

    /** The n-th field after the last ')' (/proc/PID/stat, whose command name may hold blanks). */
    long fieldAfterParen(int n) {
        return CgroupText.fieldAfterParen(buffer, length, n);
    }
}
