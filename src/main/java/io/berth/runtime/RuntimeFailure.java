package io.berth.runtime;

/**
 * A runtime refused or failed an operation on one workload. The message names the workload and
 * the cause in words an operator can act on; it is shown without a stack trace.
 */
public class RuntimeFailure extends RuntimeException {

    private final String workload;

    public RuntimeFailure(String workload, String message) {
        super(message);
        this.workload = workload;
    }

    public RuntimeFailure(String workload, String message, Throwable cause) {
        super(message, cause);
        this.workload = workload;
    }

    public String workload() {
        return workload;
    }
}
