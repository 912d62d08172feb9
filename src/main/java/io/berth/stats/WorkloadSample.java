package io.berth.stats;

import io.berth.manifest.Kind;

import java.time.Instant;

/**
 * One workload's utilization at one instant, in the shape of CONTRACT §3. Immutable.
 *
 * @param sampledAt when the counters were read
 * @param oomKilled the kernel's OOM killer killed a process in the workload's cgroup since it
 *                  started, or the runtime reports that its last exit was an OOM kill
 */
public record WorkloadSample(String name, Kind kind, Instant sampledAt, Cpu cpu, Memory memory, boolean oomKilled) {

    /**
     * @param usageCores       CPU time used over the last interval divided by its length: 0.5 is
     *                         half a core, whatever the number of threads
     * @param limitCores       the enforced limit, null when unlimited
     * @param percentOfLimit   usage against the limit, null when unlimited
     * @param throttledSeconds time the CFS quota held the workload back, cumulative since it started
     *                         (the kernel's counter; a rate of it is throttling per second)
     */
    // Named for the OpenAPI document, where both samples' Cpu and Memory would otherwise clash.
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "WorkloadCpu")
    public record Cpu(double usageCores, Double limitCores, Double percentOfLimit, double throttledSeconds) {
    }

    /**
     * @param usageBytes     containers: the cgroup's working set (usage minus inactive page cache,
     *                       as docker stats computes it); VMs: the resident memory of the QEMU process
     * @param limitBytes     the limit the kernel enforces on that usage, null when unlimited: a
     *                       container's memory limit; for a VM the hard limit on its QEMU process
     *                       (guest memory plus QEMU's headroom), since QEMU holds more than guest
     *                       memory (device emulation, TCG cache) and the two are not comparable
     * @param percentOfLimit usage against that limit, null when unlimited
     */
    // Named for the OpenAPI document, where both samples' Cpu and Memory would otherwise clash.
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "WorkloadMemory")
    public record Memory(long usageBytes, Long limitBytes, Double percentOfLimit) {
    }
}
