package io.berth.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Berth's restart bookkeeping (restartPolicy and failed health checks, for containers and VMs
 * alike), after the kubelet's crash-loop back-off and Docker's reset rule: the first restart is
 * immediate, each one after it waits twice as long as the one before (from {@code initial} up to
 * {@code max}, counted from when the stop was seen), and a workload that stayed up for
 * {@code resetAfter} after its last restart starts again from an immediate restart. Thread-safe.
 */
public final class Restarts {

    /**
     * @param consecutive restarts since the back-off last reset; {@code total} since Berth started
     * @param exitSeen    when the current stop was first seen (the wait runs from there), null while it runs
     */
    record State(int total, int consecutive, Instant last, Instant exitSeen) {
    }

    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    public Restarts(Duration initial, Duration max, Duration resetAfter) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
    }

    /**
     * When the next restart of this stopped (or unhealthy) workload may happen: now for the first,
     * else the back-off after the stop was first seen. The first call for a stop decides whether
     * it ran long enough since its last restart to start the back-off over; later calls while it
     * waits keep that decision.
     */
    synchronized Instant nextAllowed(String name, Instant now) {
        State s = states.getOrDefault(name, new State(0, 0, null, null));
        if (s.exitSeen() == null) {
            boolean ranLongEnough = s.last() == null || Duration.between(s.last(), now).compareTo(resetAfter) >= 0;
            s = new State(s.total(), ranLongEnough ? 0 : s.consecutive(), s.last(), now);
            states.put(name, s);
        }
        return s.consecutive() == 0 ? now : s.exitSeen().plus(delay(s.consecutive()));
    }

    /** Records a restart made now. */
    synchronized void restarted(String name, Instant now) {
        State s = states.getOrDefault(name, new State(0, 0, null, null));
        states.put(name, new State(s.total() + 1, s.consecutive() + 1, now, null));
    }

    /** Seen running (started by hand, say): a stop seen before no longer counts as the current one. */
    synchronized void running(String name) {
        State s = states.get(name);
        if (s != null && s.exitSeen() != null) {
            states.put(name, new State(s.total(), s.consecutive(), s.last(), null));
        }
    }

    int total(String name) {
        State s = states.get(name);
        return s == null ? 0 : s.total();
    }

    void forget(String name) {
        states.remove(name);
    }

    /** The wait before restart number {@code consecutive + 1}: initial × 2^(consecutive − 1), capped. */
    Duration delay(int consecutive) {
        if (consecutive <= 0) {
            return Duration.ZERO;
        }
        long ms = initial.toMillis();
        for (int i = 1; i < consecutive && ms < max.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }
}
