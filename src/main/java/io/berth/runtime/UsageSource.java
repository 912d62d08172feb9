package io.berth.runtime;

import java.util.Optional;

/**
 * An optional runtime feature (like {@link LogSource}): where the kernel counts a running
 * workload's CPU and memory, so the sampler reads cgroup and /proc files directly instead of
 * asking the runtime's stats API (Docker's costs about a second a call). Each runtime knows its
 * own objects: a container is found by its id, a VM by its QEMU process. Cheap, non-blocking
 * beyond a small file read; thread-safe.
 */
public interface UsageSource {

    /** What counts this running workload, or empty when it cannot be found right now (it just stopped). */
    Optional<Target> usageTarget(Observed running);

    /** What the sampler reads for one workload. */
    sealed interface Target {

        /** A container: its cgroup, found by the container id. */
        record Container(String id) implements Target {
        }

        /**
         * A process that is the workload (a VM's QEMU): its CPU time and resident memory from
         * /proc, its cgroup for the memory limit the kernel enforces on it.
         */
        record Process(long pid) implements Target {
        }
    }
}
