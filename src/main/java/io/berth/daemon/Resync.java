package io.berth.daemon;

import io.berth.reconcile.WorkQueue;
import io.berth.runtime.RuntimeSet;
import io.berth.source.DesiredState;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The periodic full resync (and {@code POST /api/v1/reconcile}'s "every name"): every desired and
 * every managed name is enqueued, so whatever an event missed is looked at again. A complete
 * relist of every runtime is what readiness vouches for ({@link RelistReadiness}); a runtime that
 * does not answer is logged and its names wait for the next resync. Thread-safe.
 */
@Singleton
public class Resync {

    private static final Logger LOG = Logger.getLogger(Resync.class);

    private final DesiredState desired;
    private final RuntimeSet runtimes;
    private final WorkQueue<String> queue;
    private volatile Instant lastRelist;
    /** {@link System#nanoTime} of the same relist: its age, whatever the wall clock does meanwhile. */
    private volatile long lastRelistNanos;

    public Resync(DesiredState desired, RuntimeSet runtimes, WorkQueue<String> queue) {
        this.desired = desired;
        this.runtimes = runtimes;
        this.queue = queue;
    }

    /** Enqueues every desired and every managed name. */
    public void run() {
        names().forEach(queue::enqueue);
    }

    /** Every desired and every managed name; a complete relist of the runtimes feeds readiness. */
    public Set<String> names() {
        Set<String> names = new HashSet<>(desired.all().keySet());
        RuntimeSet.Listing listing = runtimes.list();
        listing.observed().forEach(o -> names.add(o.name()));
        listing.failed().forEach((kind, e) -> LOG.warnf("resync: the %s runtime did not answer: %s", kind, e.getMessage()));
        if (listing.complete()) {
            lastRelistNanos = System.nanoTime();
            lastRelist = Instant.now();
        }
        return names;
    }

    /** When every runtime last answered a full relist (wall clock, for display), or null before the first. */
    public Instant lastRelist() {
        return lastRelist;
    }

    /**
     * How long ago that relist was, on the monotonic clock (an NTP step of the wall clock does not
     * make it look an hour old), or null before the first.
     */
    public java.time.Duration sinceLastRelist() {
        return lastRelist == null ? null : java.time.Duration.ofNanos(System.nanoTime() - lastRelistNanos);
    }
}
