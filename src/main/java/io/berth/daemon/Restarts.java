package io.berth.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Berth's restart bookkeeping (restartPolicy and failed health checks, for containers and VMs
 * alike), after the kubelet's crash-loop back-off and Docker's reset rule: the first restart is
 * immediate, each one after it waits twice as long as the one before (from {@code initial} up to
 * {@code max}), and a workload that stayed up for {@code resetAfter} since its last restart
 * starts again from an immediate restart. Thread-safe.
 */
final class Restarts {

    /** @param consecutive restarts since the back-off last reset; {@code total} since Berth started */
    record State(int total, int consecutive, Instant last) {
    }

    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    Restarts(Duration initial, Duration max, Duration resetAfter) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
    }

    /** When the next restart of this workload may happen (now or earlier: at once). */
    Instant nextAllowed(String name, Instant now) {
        State s = current(name, now);
        if (s.consecutive() == 0) {
            return now;
        }
        return s.last().plus(delay(s.consecutive()));
    }

    /** Records a restart made now. */
    void restarted(String name, Instant now) {
        State s = current(name, now);
        states.put(name, new State(s.total() + 1, s.consecutive() + 1, now));
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

    private State current(String name, Instant now) {
        State s = states.getOrDefault(name, new State(0, 0, null));
        if (s.last() != null && Duration.between(s.last(), now).compareTo(resetAfter) >= 0) {
            return new State(s.total(), 0, s.last()); // it stayed up long enough: forgive
        }
        return s;
    }
}
