package io.berth.reconcile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per-key deadlines on {@link System#nanoTime} for the {@link WorkQueue}: when a key's pending
 * schedule falls due, and until when a key that failed is held in back-off. Deadlines are compared
 * by difference, so {@code nanoTime} wrapping around is harmless. Not thread-safe: the queue uses
 * it under its lock only.
 */
final class Deadlines<K> {

    private final Map<K, Long> at = new HashMap<>();

    /** Sets {@code key}'s deadline to {@code deadline}, unless it already has an earlier one. */
    void earliest(K key, long deadline) {
        at.merge(key, deadline, (a, b) -> a - b <= 0 ? a : b);
    }

    /** Sets {@code key}'s deadline to {@code deadline}, whatever it was. */
    void set(K key, long deadline) {
        at.put(key, deadline);
    }

    Long get(K key) {
        return at.get(key);
    }

    void remove(K key) {
        at.remove(key);
    }

    /** Whether {@code key} has a deadline still ahead of {@code now}. */
    boolean ahead(K key, long now) {
        Long d = at.get(key);
        return d != null && d - now > 0;
    }

    boolean isEmpty() {
        return at.isEmpty();
    }

    void clear() {
        at.clear();
    }

    /**
     * Removes every deadline at or before {@code now}, then hands each of their keys to {@code due}
     * (which may set deadlines again: the keys are collected first).
     */
    void takeDue(long now, Consumer<K> due) {
        List<K> keys = new ArrayList<>();
        Iterator<Map.Entry<K, Long>> it = at.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<K, Long> e = it.next();
            if (e.getValue() - now <= 0) {
                it.remove();
                keys.add(e.getKey());
            }
        }
        keys.forEach(due);
    }

    /** The earliest deadline; a linear scan, fine for a host's few hundred workloads. Only when not empty. */
    long earliest() {
        long min = 0;
        boolean first = true;
        for (long d : at.values()) {
            if (first || d - min < 0) {
                min = d;
                first = false;
            }
        }
        return min;
    }
}
