package io.berth.runtime;

/** The runtime cannot be reached at all (daemon down, socket missing, timeout). CLI exit code 3. */
public class RuntimeUnavailableException extends RuntimeException {

    public RuntimeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
