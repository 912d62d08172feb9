package io.berth.runtime;

/**
 * Limits as the runtime enforces them, read back from the runtime (never from our own manifest).
 * 0 means "no limit" for each field. memorySwapBytes is memory plus swap (Docker's MemorySwap).
 */
public record ObservedLimits(long cpuMillis, long memoryBytes, long memorySwapBytes, long pids) {
}
