package io.berth.runtime;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;

import java.util.List;

/**
 * What a runtime reports about one managed workload.
 *
 * @param name      the Berth name (not the runtime's object name)
 * @param runtimeId the runtime's id (container id, domain UUID)
 * @param applied   the spec Berth recorded when it created the object, or null when that record is
 *                  missing or unreadable (then the planner recreates a container, and leaves a VM
 *                  alone: its disk is data)
 * @param specHash  the recorded spec hash label
 * @param limits    the limits the runtime enforces now
 * @param exitCode  the last exit code, or null when it never exited
 * @param notes     how the runtime chose to run it where that deserves a word (a hypervisor
 *                  fallback, a limit applied live because the host refused it at start)
 * @param health    the runtime's health-check verdict ({@code healthy}, {@code unhealthy},
 *                  {@code starting}), or null when it runs no health check
 * @param unreadable why the recorded spec could not be read, when {@code applied} is null and the
 *                  runtime can say (e.g. "no recorded spec", the parser's first error); else null
 */
public record Observed(String name, Kind kind, String runtimeId, WorkloadState state, Integer exitCode,
                       boolean oomKilled, String source, String agent, String specHash, Workload applied,
                       ObservedLimits limits, List<String> notes, String health, String unreadable) {

    /** Without a reason for an unreadable record. */
    public Observed(String name, Kind kind, String runtimeId, WorkloadState state, Integer exitCode,
                    boolean oomKilled, String source, String agent, String specHash, Workload applied,
                    ObservedLimits limits, List<String> notes, String health) {
        this(name, kind, runtimeId, state, exitCode, oomKilled, source, agent, specHash, applied, limits, notes, health,
                null);
    }

    /** Without a health verdict (the runtime runs no health check). */
    public Observed(String name, Kind kind, String runtimeId, WorkloadState state, Integer exitCode,
                    boolean oomKilled, String source, String agent, String specHash, Workload applied,
                    ObservedLimits limits, List<String> notes) {
        this(name, kind, runtimeId, state, exitCode, oomKilled, source, agent, specHash, applied, limits, notes, null);
    }

    /** Whether the runtime's health check has failed its allowed number of times in a row. */
    public boolean unhealthy() {
        return "unhealthy".equals(health);
    }
}
