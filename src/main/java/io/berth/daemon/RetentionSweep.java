package io.berth.daemon;

import io.berth.reconcile.StatusBook;
import io.berth.runtime.KeptData;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeSet;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;

/**
 * The periodic sweep of kept data ({@link KeptData}): what was kept longer than
 * {@code berth.retention.deleted} is removed, each set with a log line and an event naming the
 * workload and the directory. The rule is the runtime's ({@link KeptData#sweep}); this only runs
 * it on the daemon's timer. Thread-safe.
 */
@Singleton
public class RetentionSweep {

    private static final Logger LOG = Logger.getLogger(RetentionSweep.class);

    private final RuntimeSet runtimes;
    private final StatusBook book;
    private final Duration retention;
    private final Clock clock = Clock.systemUTC();

    public RetentionSweep(RuntimeSet runtimes, StatusBook book, BerthConfig config) {
        this.runtimes = runtimes;
        this.book = book;
        this.retention = config.retention().deleted();
    }

    /** How often to look: often enough that nothing outlives its retention by more than a tenth, at most a minute. */
    Duration interval() {
        long ms = Math.max(1000, Math.min(retention.toMillis() / 10, 60_000));
        return Duration.ofMillis(ms);
    }

    void run() {
        for (Runtime r : runtimes.all()) {
            if (r instanceof KeptData kept) {
                try {
                    for (KeptData.Kept k : kept.sweep(clock.instant(), retention)) {
                        String what = "removed the disk of deleted " + k.name() + " kept since " + k.keptAt() + " ("
                                + k.directory() + "): older than berth.retention.deleted " + retention;
                        LOG.infof("%s: %s", k.name(), what);
                        book.event(k.name(), "KeptDataRemoved", what);
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("retention sweep of the %s runtime failed, will try again: %s", r.kind(), e.getMessage());
                }
            }
        }
    }
}
