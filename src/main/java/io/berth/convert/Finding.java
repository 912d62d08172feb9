package io.berth.convert;

import io.berth.manifest.Origin;
import java.util.Comparator;

/**
 * One thing {@code agent convert} tells the user about a Compose key: either it was not carried
 * (the run exits 1) or a warning (a default was chosen, something was ignored on purpose).
 * {@code path} is the dotted Compose key ({@code services.web.build}). Immutable.
 */
public record Finding(Origin origin, String path, String message, boolean notCarried) {

    public static final Comparator<Finding> BY_POSITION = Comparator.comparingInt((Finding f) -> f.origin().line())
            .thenComparingInt(f -> f.origin().column());

    /** {@code file:line:col: services.web.build: not carried (...)} or {@code ...: warning: ...}. */
    @Override
    public String toString() {
        return origin + ": " + path + ": " + (notCarried ? "not carried (" + message + ")" : "warning: " + message);
    }
}
