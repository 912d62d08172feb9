package io.berth.manifest;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem found in a manifest, pointing at the exact place to fix. {@code field} is the dotted
 * path from the document root ({@code metadata.name}, {@code spec.ports[1].hostPort}), or empty when
 * the problem concerns the YAML or the file as a whole (a syntax error, a binary file). Problems with
 * a whole file (missing, too large) point at line 1, column 1, so every error keeps the one shape
 * editors and CI annotators can jump to. The message says what is wrong and, in parentheses, what
 * would be valid when there is something to say. Immutable.
 */
public record ManifestError(Origin origin, String field, String message) {

    /** Orders errors by line, then column, within one file. */
    public static final Comparator<ManifestError> BY_POSITION =
            Comparator.comparingInt((ManifestError e) -> e.origin().line()).thenComparingInt(e -> e.origin().column());

    public ManifestError {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(message, "message");
        field = field == null ? "" : field;
    }

    /** {@code file:line:col: field: message}, or {@code file:line:col: message} when there is no field. */
    @Override
    public String toString() {
        return field.isEmpty() ? origin + ": " + message : origin + ": " + field + ": " + message;
    }
}
