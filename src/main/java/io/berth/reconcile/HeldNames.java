package io.berth.reconcile;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Workload names an operation outside the reconcile loop holds (a snapshot restore stops the VM on
 * purpose; a backup snapshots it; a restore puts a disk in place): while a name is held, its reconciles are put off instead of repairing what looks like
 * drift mid-operation. {@link #hold} waits for a reconcile of the name already running to end, so
 * the operation and the loop never act on one name at once. Thread-safe.
 */
public final class HeldNames {

    /** How soon a put-off reconcile looks again. */
    public static final Duration RECHECK = Duration.ofSeconds(2);

    private final Set<String> held = ConcurrentHashMap.newKeySet();

    public boolean isHeld(String name) {
        return held.contains(name);
    }

    /**
     * Runs {@code work} with {@code name} held, once no reconcile of it is in flight, and enqueues the
     * name after (the loop re-reads the whole state then). One holder per name: a second waits.
     */
    public <T> T hold(String name, WorkQueue<String> queue, Supplier<T> work) {
        while (!held.add(name)) {
            pause();
        }
        try {
            while (queue.inFlight().contains(name)) {
                pause();
            }
            return work.get();
        } finally {
            held.remove(name);
            queue.enqueue(name);
        }
    }

    /** The queue's handler with held names put off. */
    public java.util.function.Function<String, WorkQueue.Result> guard(java.util.function.Function<String, WorkQueue.Result> reconcile) {
        return name -> held.contains(name)
                ? new WorkQueue.RequeueAfter(RECHECK, "held by a snapshot, backup or restore") : reconcile.apply(name);
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to hold a workload name", e);
        }
    }
}
