package io.berth.manifest;

import java.nio.file.Path;

/**
 * Where a piece of a manifest came from: the file and the 1-based line and column. Used to point
 * every user-facing error at the exact place to fix.
 */
public record Origin(Path file, int line, int column) {

    public static Origin unknown(Path file) {
        return new Origin(file, 1, 1);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
