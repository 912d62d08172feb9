package io.berth.reconcile;

import io.berth.manifest.Kind;
import io.berth.manifest.Quantities;
import io.berth.manifest.Workload;
import io.berth.runtime.libvirt.VmOverhead;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Admission: a workload starts only if its requests fit in what is left of the host's allocatable
 * CPU and memory — capacity minus the configured reservations, times the overcommit ratios. A VM
 * needs its guest memory plus QEMU's own overhead. What already runs is counted and never evicted;
 * a workload that does not fit stays Pending with the numbers that say why, and is retried when
 * capacity is freed. Thread-safe.
 */
public final class Admission {

    /** What one workload reserves. */
    public record Need(long cpuMillis, long memoryBytes) {
        public static Need of(Workload w) {
            long memory = w.resources().requests().memoryBytes();
            if (w.kind() == Kind.VirtualMachine) {
                memory += VmOverhead.bytes(w.resources().limits().memoryBytes(), true); // TCG counted: auto may fall back
            }
            return new Need(w.resources().requests().cpuMillis(), memory);
        }
    }

    /** Allocatable capacity: what workloads may reserve in total. */
    public record Allocatable(long capacityCpuMillis, long capacityMemoryBytes, long reservedCpuMillis,
                       long reservedMemoryBytes, double cpuOvercommit, double memoryOvercommit) {
        public long cpuMillis() {
            return (long) Math.floor(Math.max(0, capacityCpuMillis - reservedCpuMillis) * cpuOvercommit);
        }

        public long memoryBytes() {
            return (long) Math.floor(Math.max(0, capacityMemoryBytes - reservedMemoryBytes) * memoryOvercommit);
        }
    }

    /** The verdict: admitted, or why not. */
    record Decision(boolean admitted, String reason) {
    }

    private final Allocatable allocatable;
    private final Map<String, Need> admitted = new TreeMap<>();
    private final Set<String> pending = new LinkedHashSet<>();

    public Admission(Allocatable allocatable) {
        this.allocatable = allocatable;
    }

    public Allocatable allocatable() {
        return allocatable;
    }

    /** Counts a workload that already runs, fitting or not: Berth never evicts. */
    public synchronized void count(String name, Need need) {
        admitted.put(name, need);
        pending.remove(name);
    }

    /**
     * Admits a workload about to be created, started or resized, if its need fits beside everything
     * else admitted (its own earlier reservation is replaced, not added to).
     */
    synchronized Decision admit(String name, Need need) {
        long cpu = 0;
        long memory = 0;
        for (Map.Entry<String, Need> e : admitted.entrySet()) {
            if (!e.getKey().equals(name)) {
                cpu += e.getValue().cpuMillis();
                memory += e.getValue().memoryBytes();
            }
        }
        long freeCpu = allocatable.cpuMillis() - cpu;
        long freeMemory = allocatable.memoryBytes() - memory;
        boolean cpuFits = need.cpuMillis() <= freeCpu;
        boolean memoryFits = need.memoryBytes() <= freeMemory;
        if (cpuFits && memoryFits) {
            admitted.put(name, need);
            pending.remove(name);
            return new Decision(true, null);
        }
        pending.add(name);
        StringBuilder why = new StringBuilder("does not fit on this host: ");
        if (!cpuFits) {
            why.append("cpu needs ").append(Quantities.formatCpu(need.cpuMillis())).append(", free ")
                    .append(Quantities.formatCpu(Math.max(0, freeCpu))).append(" of allocatable ")
                    .append(Quantities.formatCpu(allocatable.cpuMillis()));
        }
        if (!memoryFits) {
            why.append(cpuFits ? "" : "; ").append("memory needs ").append(Quantities.formatMemory(need.memoryBytes()))
                    .append(", free ").append(Quantities.formatMemory(Math.max(0, freeMemory))).append(" of allocatable ")
                    .append(Quantities.formatMemory(allocatable.memoryBytes()));
        }
        why.append(" (allocatable = capacity ").append(Quantities.formatCpu(allocatable.capacityCpuMillis()))
                .append(" cpu / ").append(Quantities.formatMemory(allocatable.capacityMemoryBytes()))
                .append(" minus reserved ").append(Quantities.formatCpu(allocatable.reservedCpuMillis())).append(" / ")
                .append(Quantities.formatMemory(allocatable.reservedMemoryBytes()));
        if (allocatable.cpuOvercommit() != 1.0 || allocatable.memoryOvercommit() != 1.0) {
            why.append(", times overcommit ").append(allocatable.cpuOvercommit()).append(" / ")
                    .append(allocatable.memoryOvercommit());
        }
        return new Decision(false, why.append(')').toString());
    }

    /**
     * Frees a workload's reservation (deleted, or stopped for good).
     *
     * @return the names waiting for capacity, to be retried now
     */
    synchronized Set<String> release(String name) {
        pending.remove(name);
        if (admitted.remove(name) == null) {
            return Set.of();
        }
        return Set.copyOf(pending);
    }

    /** Forgets a pending workload that is no longer desired. */
    synchronized void forget(String name) {
        pending.remove(name);
    }

    /** Sum of what is admitted: cpu millis and memory bytes. */
    public synchronized Need allocated() {
        long cpu = 0;
        long memory = 0;
        for (Need n : admitted.values()) {
            cpu += n.cpuMillis();
            memory += n.memoryBytes();
        }
        return new Need(cpu, memory);
    }
}
