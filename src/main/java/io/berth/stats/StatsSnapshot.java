package io.berth.stats;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one sampler tick saw: the host and every managed workload, sorted by name.
 * Immutable; {@code GET /api/v1/stats} returns it as it is, and the stream sends one per interval.
 */
public record StatsSnapshot(Instant sampledAt, HostSample host, List<WorkloadSample> workloads) {

    public StatsSnapshot {
        workloads = List.copyOf(workloads);
    }

    public Optional<WorkloadSample> workload(String name) {
        for (WorkloadSample w : workloads) {
            if (w.name().equals(name)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }
}
