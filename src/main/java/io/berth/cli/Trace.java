package io.berth.cli;

import java.io.PrintStream;

/**
 * Phase timings on stderr when BERTH_TRACE is set: where a command spends its time (loading
 * manifests, asking the runtimes, planning, applying), measured from JVM start.
 */
final class Trace {

    private static final boolean ON = System.getenv("BERTH_TRACE") != null;
    private static final long JVM_START_MS = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();

    private Trace() {
    }

    static void mark(String phase) {
        if (ON) {
            PrintStream err = System.err;
            err.printf("trace: %-10s %5d ms since JVM start%n", phase, System.currentTimeMillis() - JVM_START_MS);
        }
    }
}
