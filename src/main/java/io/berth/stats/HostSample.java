package io.berth.stats;

/**
 * How full the host is: what it has, what Berth's running workloads may use at most (the sum of
 * their enforced limits), and what is used now (by everything on the host, not only Berth).
 * Immutable.
 */
public record HostSample(Cpu cpu, Memory memory) {

    // Named for the OpenAPI document, where both samples' Cpu and Memory would otherwise clash.
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "HostCpu")
    public record Cpu(double capacityCores, double allocatedCores, double usageCores) {
    }

    /** {@code usageBytes} is MemTotal − MemAvailable: page cache the kernel can drop is not used. */
    // Named for the OpenAPI document, where both samples' Cpu and Memory would otherwise clash.
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "HostMemory")
    public record Memory(long capacityBytes, long allocatedBytes, long usageBytes) {
    }
}
