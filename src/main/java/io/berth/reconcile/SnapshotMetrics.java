package io.berth.reconcile;

import io.berth.runtime.Snapshots;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Snapshots as Prometheus metrics: per workload and maker {@code berth_workload_snapshots}
 * (how many), per workload {@code berth_workload_snapshots_size_bytes} (the space their layers
 * take), and for a VM with {@code spec.snapshots} {@code berth_workload_snapshot_overdue_seconds}
 * (how long past its due time the next scheduled snapshot is: 0 while on time; the alert
 * BerthScheduledSnapshotsOverdue). Series end when a workload has no snapshots or schedule any more.
 * Updated from the schedule timer's thread only ({@link #update}).
 */
final class SnapshotMetrics {

    /** What one look found for one workload: its snapshots and, with a schedule, how overdue it is (null: none). */
    record Seen(String name, String kind, List<Snapshots.Snapshot> snapshots, Double overdueSeconds) {
    }

    private final MeterRegistry registry;
    private final Map<Key, Series> series = new HashMap<>();

    private static final class Series {
        final AtomicReference<Double> value = new AtomicReference<>(0.0);
        Meter meter;
    }

    SnapshotMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One series: its meter name and tags. */
    private record Key(String name, Tags tags) {
    }

    void update(List<Seen> seen) {
        Map<Key, Double> now = new HashMap<>();
        for (Seen s : seen) {
            Tags base = Tags.of("name", s.name(), "kind", s.kind());
            for (Snapshots.MadeBy by : Snapshots.MadeBy.values()) {
                long n = s.snapshots().stream().filter(x -> x.madeBy() == by).count();
                if (n > 0) {
                    now.put(new Key("berth.workload.snapshots", base.and("made_by", by.name())), (double) n);
                }
            }
            if (!s.snapshots().isEmpty()) {
                now.put(new Key("berth.workload.snapshots.size", base),
                        (double) s.snapshots().stream().mapToLong(Snapshots.Snapshot::sizeBytes).sum());
            }
            if (s.overdueSeconds() != null) {
                now.put(new Key("berth.workload.snapshot.overdue", base), s.overdueSeconds());
            }
        }
        for (Iterator<Map.Entry<Key, Series>> it = series.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Series> e = it.next();
            if (!now.containsKey(e.getKey())) {
                registry.remove(e.getValue().meter);
                it.remove();
            }
        }
        now.forEach((key, value) -> series.computeIfAbsent(key, this::register).value.set(value));
    }

    private Series register(Key key) {
        Series s = new Series();
        Gauge.Builder<Series> b = Gauge.builder(key.name(), s, x -> x.value.get()).tags(key.tags()).strongReference(true);
        s.meter = switch (key.name()) {
            case "berth.workload.snapshots" -> b.description("Snapshots the workload has, by who made them (manual,"
                    + " scheduled, automatic)").register(registry);
            case "berth.workload.snapshots.size" -> b.baseUnit("bytes")
                    .description("Space the workload's snapshot layers take on the host").register(registry);
            default -> b.baseUnit("seconds").description("How long past its due time the workload's next scheduled"
                    + " snapshot is (0: on time)").register(registry);
        };
        return s;
    }
}
