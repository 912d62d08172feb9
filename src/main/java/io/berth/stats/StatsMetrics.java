package io.berth.stats;

import io.berth.stats.Sampler;
import io.berth.stats.StatsSnapshot;
import io.berth.stats.WorkloadSample;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The sampler's numbers as Prometheus metrics (CONTRACT §5) at {@code /q/metrics}: per workload
 * {@code berth_workload_cpu_usage_cores}, {@code _cpu_limit_cores}, {@code _memory_usage_bytes},
 * {@code _memory_limit_bytes}, {@code _cpu_throttled_seconds_total} with {@code name} and
 * {@code kind} labels; the host's capacity, allocation and usage ({@code berth_host_*}); and the
 * sampler's own cost and freshness ({@code berth_stats_*}).
 *
 * <p>Meters read the newest sample when scraped. A workload's meters are removed with the first
 * sample it is no longer in, so a deleted workload's series end instead of freezing at their last
 * value. Micrometer names use base units ({@code .baseUnit("bytes")}), from which the Prometheus
 * naming adds the {@code _bytes}/{@code _cores} suffixes and {@code _total} to counters. Updated on
 * the sampler thread only.
 */
final class StatsMetrics {

    /** The newest sample of one workload, read by its meters. */
    private static final class Holder {
        volatile WorkloadSample sample;
        List<Meter> meters;
    }

    private final MeterRegistry registry;
    private final Map<String, Holder> workloads = new HashMap<>();
    private volatile StatsSnapshot latest;

    StatsMetrics(MeterRegistry registry, Sampler sampler) {
        this.registry = registry;
        host("berth.host.cpu.capacity", "cores", "CPUs the host has (online CPUs)", s -> s.host().cpu().capacityCores());
        host("berth.host.cpu.allocated", "cores", "Sum of the CPU limits of Berth's running workloads",
                s -> s.host().cpu().allocatedCores());
        host("berth.host.cpu.usage", "cores", "CPU the whole host used over the last sampling interval, in cores",
                s -> s.host().cpu().usageCores());
        host("berth.host.memory.capacity", "bytes", "Memory the host has (MemTotal)", s -> s.host().memory().capacityBytes());
        host("berth.host.memory.allocated", "bytes", "Sum of the memory limits of Berth's running workloads",
                s -> s.host().memory().allocatedBytes());
        host("berth.host.memory.usage", "bytes", "Memory the host uses (MemTotal - MemAvailable)", s -> s.host().memory().usageBytes());
        Gauge.builder("berth.stats.sample.age", this, m -> {
                    StatsSnapshot s = m.latest;
                    return s == null ? Double.NaN : Duration.between(s.sampledAt(), Instant.now()).toNanos() / 1e9;
                })
                .baseUnit("seconds").description("Age of the newest utilization sample; grows without bound when the sampler stalls")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("berth.stats.sampler.cpu", sampler, s -> s.samplerCpuNanos() / 1e9)
                .baseUnit("seconds").description("CPU time the stats sampler thread used (its own cost)").register(registry);
    }

    private void host(String name, String unit, String help, ToDoubleFunction<StatsSnapshot> f) {
        Gauge.builder(name, this, m -> m.latest == null ? Double.NaN : f.applyAsDouble(m.latest))
                .baseUnit(unit).description(help).strongReference(true).register(registry);
    }

    void update(StatsSnapshot snapshot) {
        Map<String, WorkloadSample> now = new HashMap<>();
        for (WorkloadSample w : snapshot.workloads()) {
            now.put(w.name() + '\0' + w.kind(), w);
        }
        for (Iterator<Map.Entry<String, Holder>> it = workloads.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Holder> e = it.next();
            if (!now.containsKey(e.getKey())) {
                e.getValue().meters.forEach(registry::remove);
                it.remove();
            }
        }
        now.forEach((key, w) -> workloads.computeIfAbsent(key, k -> register(w)).sample = w);
        latest = snapshot;
    }

    private Holder register(WorkloadSample first) {
        Holder h = new Holder();
        h.sample = first;
        Tags tags = Tags.of("name", first.name(), "kind", first.kind().name());
        h.meters = List.of(
                gauge("berth.workload.cpu.usage", "cores", "CPU the workload used over the last sampling interval, in cores", tags, h,
                        w -> w.cpu().usageCores()),
                gauge("berth.workload.cpu.limit", "cores", "The workload's enforced CPU limit, in cores", tags, h,
                        w -> w.cpu().limitCores() == null ? Double.NaN : w.cpu().limitCores()),
                gauge("berth.workload.memory.usage", "bytes",
                        "Memory the workload uses: a container's working set (usage - inactive file, as docker stats), "
                                + "a VM's QEMU resident memory", tags, h,
                        w -> w.memory().usageBytes()),
                gauge("berth.workload.memory.limit", "bytes", "The workload's enforced memory limit (a VM's guest memory)", tags, h,
                        w -> w.memory().limitBytes() == null ? Double.NaN : w.memory().limitBytes()),
                FunctionCounter.builder("berth.workload.cpu.throttled", h, x -> x.sample.cpu().throttledSeconds())
                        .baseUnit("seconds").description("Time the CPU quota held the workload back (cgroup throttled time)")
                        .tags(tags).register(registry));
        return h;
    }

    private Meter gauge(String name, String unit, String help, Tags tags, Holder h,
                        ToDoubleFunction<WorkloadSample> f) {
        return Gauge.builder(name, h, x -> f.applyAsDouble(x.sample))
                .baseUnit(unit).description(help).tags(tags).strongReference(true).register(registry);
    }
}
