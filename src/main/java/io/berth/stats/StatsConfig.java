package io.berth.stats;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Utilization sampling ({@code berth.stats.*}, also {@code BERTH_STATS_*} and in
 * {@code --config FILE}). Defaults live here and nowhere else.
 */
@ConfigMapping(prefix = "berth.stats")
public interface StatsConfig {

    /** How often every workload and the host are sampled, and the stream sends a sample. */
    @WithDefault("1s")
    Duration interval();

    /**
     * How often the runtimes are re-listed to learn which workloads exist, their limits and where
     * their cgroups are, when nothing else asked for it (Docker events, a vanished cgroup and an
     * unknown desired workload do, sooner).
     */
    @WithDefault("10s")
    Duration refreshInterval();
}
