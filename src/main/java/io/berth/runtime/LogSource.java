package io.berth.runtime;

import io.berth.util.StopSignal;

import java.io.OutputStream;

/**
 * An optional runtime feature: a workload's output — a container's stdout and stderr, a VM's
 * serial console. Blocking; with {@code follow} it returns only when the workload stops, the
 * runtime goes away, the reader goes away or {@code stop} is signalled. Whichever ends it, its
 * thread and its connection to the runtime are freed before it returns, or within a second after
 * {@code stop} when it is blocked waiting for output that never comes.
 */
public interface LogSource {

    /**
     * Writes the output to {@code out}.
     *
     * @param tail at most this many last lines, or -1 for all
     * @param stop ends a follow at once (the HTTP client went away)
     * @throws RuntimeFailure when the workload is not this agent's or has no output
     */
    void logs(String name, int tail, boolean follow, OutputStream out, StopSignal stop);

    /** {@link #logs(String, int, boolean, OutputStream, StopSignal)} that only ends by itself (the CLI's own process). */
    default void logs(String name, int tail, boolean follow, OutputStream out) {
        logs(name, tail, follow, out, new StopSignal());
    }
}
