package io.berth.runtime;

/**
 * Limits as the runtime enforces them, read back from the runtime (never from our own manifest).
 * 0 means "no limit" for each field. memorySwapBytes is memory plus swap (Docker's MemorySwap).
 * memoryMaxBytes is the most memory can be raised to without recreating (a domain's defined
 * maximum, up to which the balloon can give memory back); 0 when there is no such ceiling.
 * fixedBy is null when the runtime changes limits of a live workload, else why it cannot (the
 * plan then says recreate, with this reason): Podman 4.3, whose update does not last.
 */
public record ObservedLimits(long cpuMillis, long memoryBytes, long memorySwapBytes, long pids, long memoryMaxBytes,
        String fixedBy) {

    public ObservedLimits(long cpuMillis, long memoryBytes, long memorySwapBytes, long pids, long memoryMaxBytes) {
        this(cpuMillis, memoryBytes, memorySwapBytes, pids, memoryMaxBytes, null);
    }
}
