package io.berth.cli;

/** CONTRACT §2 exit codes. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Invalid input or a failed operation. */
    public static final int FAILED = 1;
    /** {@code plan} found changes. */
    public static final int CHANGES = 2;
    /** The daemon or a runtime is unreachable. */
    public static final int UNREACHABLE = 3;

    private ExitCodes() {
    }
}
