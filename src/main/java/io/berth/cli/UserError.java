package io.berth.cli;

/** A mistake in the command line or its input: printed as one line, exit code 1. */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }
}
