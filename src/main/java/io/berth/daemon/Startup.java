package io.berth.daemon;

import io.berth.stats.StatsService;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Starts {@code agent serve}'s parts when Quarkus is up and stops them when it goes down. The parts
 * are made on first use, so a setting they cannot start with surfaces here as a
 * {@link Wiring.BadConfig}: one ERROR line naming the key and exit 1, never a stack trace.
 */
@Singleton
public class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    private final Provider<Daemon> daemon;
    private final Provider<StatsService> stats;
    private volatile boolean started;

    public Startup(Provider<Daemon> daemon, Provider<StatsService> stats) {
        this.daemon = daemon;
        this.stats = stats;
    }

    void start(@Observes StartupEvent ev) {
        try {
            daemon.get().start();
            stats.get().start();
            started = true;
        } catch (RuntimeException e) {
            Wiring.BadConfig bad = badConfig(e);
            if (bad == null) {
                throw e;
            }
            // An operator's mistake: one line naming the key, exit 1, no stack trace.
            LOG.errorf("agent serve cannot start: %s", bad.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        if (started) {
            stats.get().stop();
            daemon.get().stop();
        }
    }

    /** The BadConfig behind a failed start, however CDI wrapped it, or null. */
    private static Wiring.BadConfig badConfig(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Wiring.BadConfig b) {
                return b;
            }
        }
        return null;
    }
}
