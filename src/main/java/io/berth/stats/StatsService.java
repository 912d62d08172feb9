package io.berth.stats;

import io.berth.runtime.RuntimeSet;
import io.berth.source.DesiredState;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Runs the utilization {@link Sampler} inside {@code agent serve} (started after the daemon's
 * parts, by the daemon's startup), feeding {@link StatsMetrics} on every sample. Thread-safe.
 */
@Singleton
public class StatsService {

    private static final Logger LOG = Logger.getLogger(StatsService.class);

    private final RuntimeSet runtimes;
    private final DesiredState desired;
    private final StatsConfig config;
    private final MeterRegistry registry;
    private volatile Sampler sampler;

    public StatsService(RuntimeSet runtimes, DesiredState desired, StatsConfig config, MeterRegistry registry) {
        this.runtimes = runtimes;
        this.desired = desired;
        this.config = config;
        this.registry = registry;
    }

    public void start() {
        Sampler s = new Sampler(runtimes.all(), () -> desired.all().keySet(), config.interval(), config.refreshInterval());
        StatsMetrics metrics = new StatsMetrics(registry, s);
        s.subscribe(metrics::update);
        s.start();
        sampler = s;
        LOG.infof("stats: sampling every %s, runtimes re-listed every %s", config.interval(), config.refreshInterval());
    }

    public void stop() {
        Sampler s = sampler;
        if (s != null) {
            s.close();
        }
    }

    /** The running sampler, or null before start. */
    public Sampler sampler() {
        return sampler;
    }
}
