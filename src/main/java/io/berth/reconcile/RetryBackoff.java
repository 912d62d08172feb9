package io.berth.reconcile;

import java.time.Duration;

/**
 * The {@link WorkQueue}'s wait before retrying a key whose run failed: capped exponential,
 * {@code initial × factor^(failures-1)}, at most {@code max}. Immutable.
 */
public record RetryBackoff(Duration initial, Duration max, double factor) {

    /**
     * 200 ms, doubling, at most 30 s: a key that keeps failing runs 8 times in its first 30 s, 9 in
     * its first minute, then twice a minute.
     */
    public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0);

    public RetryBackoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || !(factor >= 1.0)) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max and factor >= 1, got "
                    + initial + ", " + max + ", " + factor);
        }
    }

    /** The wait before the next attempt after {@code failures} consecutive failures (1 = first). */
    public Duration delay(int failures) {
        double nanos = initial.toNanos() * Math.pow(factor, Math.max(0, failures - 1));
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }
}
