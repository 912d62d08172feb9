package io.berth.stats;

import io.berth.daemon.Daemon;

import io.berth.stats.Sampler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/**
 * Runs the utilization {@link Sampler} inside {@code agent serve}: started after the daemon (it
 * needs the daemon's runtimes and desired set), feeding {@link StatsMetrics} on every sample.
 * Thread-safe.
 */
@Singleton
public class StatsService {

    private static final Logger LOG = Logger.getLogger(StatsService.class);

    private final Daemon daemon;
    private final StatsConfig config;
    private final MeterRegistry registry;
    private volatile Sampler sampler;

    public StatsService(Daemon daemon, StatsConfig config, MeterRegistry registry) {
        this.daemon = daemon;
        this.config = config;
        this.registry = registry;
    }

    /** After {@link Daemon#start} (default observer priority APPLICATION + 500). */
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent ev) {
        Sampler s = new Sampler(daemon.runtimes().all(), () -> daemon.desiredState().all().keySet(), config.interval(),
                config.refreshInterval());
        StatsMetrics metrics = new StatsMetrics(registry, s);
        s.subscribe(metrics::update);
        s.start();
        sampler = s;
        LOG.infof("stats: sampling every %s, runtimes re-listed every %s", config.interval(), config.refreshInterval());
    }

    void stop(@Observes ShutdownEvent ev) {
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
