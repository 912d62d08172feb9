package io.berth.cli;

import java.util.List;

/**
 * A mistake in the command line or its input: printed as one line (after its detail lines, such
 * as the daemon's manifest error lines), exit code 1.
 */
public class UserError extends RuntimeException {

    private final List<String> details;

    public UserError(String message) {
        this(message, List.of());
    }

    public UserError(String message, List<String> details) {
        super(message);
        this.details = List.copyOf(details);
    }

    /** Lines printed before the message, each as it is (e.g. {@code file:line:col: field: problem}). */
    public List<String> details() {
        return details;
    }
}
