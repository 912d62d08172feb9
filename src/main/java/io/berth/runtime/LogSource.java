package io.berth.runtime;

import java.io.OutputStream;

/**
 * An optional runtime feature: a workload's output — a container's stdout and stderr, a VM's
 * serial console. Blocking; with {@code follow} it returns only when the workload stops, the
 * runtime goes away or the calling thread is interrupted.
 */
public interface LogSource {

    /**
     * Writes the output to {@code out}.
     *
     * @param tail at most this many last lines, or -1 for all
     * @throws RuntimeFailure when the workload is not this agent's or has no output
     */
    void logs(String name, int tail, boolean follow, OutputStream out);
}
