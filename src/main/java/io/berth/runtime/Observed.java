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
 *                  missing or unreadable (then the planner recreates)
 * @param specHash  the recorded spec hash label
 * @param limits    the limits the runtime enforces now
 * @param exitCode  the last exit code, or null when it never exited
 * @param notes     how the runtime chose to run it where that deserves a word (a hypervisor
 *                  fallback, a limit applied live because the host refused it at start)
 */
public record Observed(String name, Kind kind, String runtimeId, WorkloadState state, Integer exitCode,
                       boolean oomKilled, String source, String agent, String specHash, Workload applied,
                       ObservedLimits limits, List<String> notes) {
}
