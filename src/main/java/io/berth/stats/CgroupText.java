package io.berth.stats;

import java.nio.charset.StandardCharsets;

/**
 * Parsers for the kernel's cgroup and proc text files, working on the raw bytes a {@link FileReads}
 * buffer holds, so a sample allocates no strings. Pure and thread-safe.
 *
 * <p>Two shapes cover every file Berth reads: a single value ({@code cpuacct.usage},
 * {@code memory.current}, {@code memory.max} where {@code max} means unlimited) and flat keyed
 * lines {@code key value} ({@code cpu.stat}, {@code memory.stat}, {@code memory.events},
 * {@code memory.oom_control}, and with a colon {@code /proc/meminfo}).
 */
final class CgroupText {

    /** A value the file does not hold (missing key, empty file, not a number). */
    static final long ABSENT = -1;
    /** {@code max} in cgroup v2 files: no limit. */
    static final long UNLIMITED = Long.MAX_VALUE;

    private CgroupText() {
    }

    static byte[] key(String key) {
        return key.getBytes(StandardCharsets.US_ASCII);
    }

    /** The first token as a number; {@code max} is {@link #UNLIMITED}. */
    static long single(byte[] b, int len) {
        int i = skipBlanks(b, 0, len);
        if (i + 3 <= len && b[i] == 'm' && b[i + 1] == 'a' && b[i + 2] == 'x') {
            return UNLIMITED;
        }
        return number(b, i, len);
    }

    /**
     * The value of the line starting with {@code key} followed by a blank or a colon
     * ({@code "throttled_time 988606437"}, {@code "MemAvailable:  123 kB"}), or {@link #ABSENT}.
     * The key must be a whole word: {@code inactive_file} does not match {@code total_inactive_file}.
     */
    static long keyed(byte[] b, int len, byte[] key) {
        int line = 0;
        while (line < len) {
            int end = line;
            while (end < len && b[end] != '\n') {
                end++;
            }
            if (end - line > key.length && startsWith(b, line, key)) {
                byte sep = b[line + key.length];
                if (sep == ' ' || sep == '\t' || sep == ':') {
                    int i = line + key.length + 1;
                    while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == ':')) {
                        i++;
                    }
                    return number(b, i, end);
                }
            }
            line = end + 1;
        }
        return ABSENT;
    }

    /** The n-th (0-based) blank-separated field of the first line, as a number, or {@link #ABSENT}. */
    static long field(byte[] b, int len, int n) {
        int i = 0;
        for (int f = 0; i < len && b[i] != '\n'; f++) {
            i = skipBlanks(b, i, len);
            if (f == n) {
                return number(b, i, len);
            }
            while (i < len && b[i] != ' ' && b[i] != '\t' && b[i] != '\n') {
                i++;
            }
        }
        return ABSENT;
    }

    /**
     * The n-th (0-based) field after the last {@code ')'} of the first line: in /proc/PID/stat the
     * command name is in parentheses and may contain blanks and parentheses itself.
     */
    static long fieldAfterParen(byte[] b, int len, int n) {
        int end = 0;
        while (end < len && b[end] != '\n') {
            end++;
        }
        int paren = end - 1;
        while (paren >= 0 && b[paren] != ')') {
            paren--;
        }
        if (paren < 0) {
            return ABSENT;
        }
        int i = paren + 1;
        for (int f = 0; i < end; f++) {
            i = skipBlanks(b, i, end);
            if (f == n) {
                return number(b, i, end);
            }
            while (i < end && b[i] != ' ' && b[i] != '\t') {
                i++;
            }
        }
        return ABSENT;
    }

    private static boolean startsWith(byte[] b, int at, byte[] key) {
        for (int k = 0; k < key.length; k++) {
            if (b[at + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    private static int skipBlanks(byte[] b, int i, int len) {
        while (i < len && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static long number(byte[] b, int i, int end) {
        long v = 0;
        int start = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        return i == start ? ABSENT : v;
    }
}
