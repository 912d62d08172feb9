package io.berth.source.git;

/**
 * A fetch or read of the git source failed; the message says what and why in one line an
 * operator can act on (no stack trace is shown for it).
 */
public final class GitException extends Exception {

    public GitException(String message) {
        super(message);
    }

    public GitException(String message, Throwable cause) {
        super(message, cause);
    }
}
