package io.berth.reconcile;

import io.berth.util.DaemonThreads;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The level-triggered work queue of the reconcile loop. Events, timers, API calls and the periodic
 * resync only enqueue keys (workload names); the handler always re-reads the whole state for its
 * key, so collapsing many enqueues into one run loses nothing.
 *
 * <ul>
 *   <li>{@link #enqueue}: a key already waiting is not added twice; a key being handled right now
 *       is marked dirty and handled once more after the current run. One worker per key at a time,
 *       different keys in parallel on {@code workers} daemon threads.</li>
 *   <li>{@link #enqueueAfter}: schedules a run; the earliest pending schedule per key wins. When it
 *       fires while the key is already waiting, it collapses with it.</li>
 *   <li>A run consumes the key's pending schedule (as java-operator-sdk cancels a scheduled
 *       reschedule when a reconcile starts): the handler saw the whole state, so its {@link Result}
 *       alone decides when the key runs next — {@link Done} not again until enqueued,
 *       {@link Retry} after a capped exponential {@link RetryBackoff} on the key's failure count,
 *       {@link RequeueAfter} after the given delay, {@link Terminal} not again until enqueued.
 *       Retry grows the failure count; Done and RequeueAfter reset it; Terminal leaves it. A
 *       handler that throws counts as Retry with the exception's message.</li>
 *   <li><b>A back-off holds.</b> A key whose last run was a Retry is not run again before its
 *       back-off expires, whatever enqueues it meanwhile: {@link #enqueue}, {@link #enqueueAfter}
 *       with a shorter delay and a dirty mark are all folded into the pending retry. (Runtime
 *       events are caused by the failed attempt itself — libvirt defines and undefines the domain
 *       of a VM that cannot start — so letting them through turned a back-off into a tight loop.)
 *       Enqueues still shorten the waits of keys that did not fail (RequeueAfter, Done).</li>
 *   <li>{@link #enqueueChanged}: the key's desired state changed (a new manifest for the name, an
 *       API apply that changes its spec, an API delete) — a deliberate act, so its failure streak
 *       and back-off are forgotten and it runs as soon as a worker is free (after the current run
 *       when it is in flight). A re-apply of the same spec changes nothing and does not reset.</li>
 *   <li>The listener gets an {@link Outcome} after every run, on the worker, while the key is still
 *       in flight; its exceptions are caught and ignored.</li>
 *   <li>{@link #close}: idempotent; drops pending work and waits up to 5 s for running handlers.</li>
 * </ul>
 * Thread-safe: all state sits behind one lock; the handler and listener run outside it.
 */
public final class WorkQueue<K> implements AutoCloseable {

    /** What a run decided. */
    public sealed interface Result permits Done, Retry, RequeueAfter, Terminal {
    }

    /** Converged; the failure count resets. */
    public record Done() implements Result {
    }

    /** Failed transiently; retry after {@link RetryBackoff#delay} of the grown failure count. */
    public record Retry(String reason) implements Result {
    }

    /** Run again after {@code delay} (e.g. waiting for a health check); the failure count resets. */
    public record RequeueAfter(Duration delay, String reason) implements Result {
        public RequeueAfter {
            Objects.requireNonNull(delay, "delay");
        }
    }

    /** Failed in a way retrying cannot fix (e.g. an invalid spec); reported, not retried. */
    public record Terminal(String reason) implements Result {
    }

    /**
     * One run: its result, the attempt number within the key's current failure streak (1 after a
     * success), how long the handler took, and when it finished.
     */
    public record Outcome(Result result, int attempt, Duration took, Instant at) {
    }

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Function<K, Result> handler;
    private final RetryBackoff backoff;
    private final BiConsumer<K, Outcome> listener;
    private final ExecutorService threads;
    private final Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled (always with signalAll) on every state change; workers and awaitIdle wait on it. */
    private final Condition changed = lock.newCondition();
    private final LinkedHashSet<K> ready = new LinkedHashSet<>(); // waiting, FIFO, never in flight
    private final Deadlines<K> scheduled = new Deadlines<>(); // when a key's next run is due
    private final Deadlines<K> held = new Deadlines<>(); // keys whose last run was a Retry: their back-off end
    private final Set<K> inFlight = new HashSet<>();
    private final Set<K> dirty = new HashSet<>(); // in flight and enqueued again meanwhile
    private final Set<K> fresh = new HashSet<>(); // in flight and changed meanwhile: forget the streak after the run
    private final Map<K, Integer> failures = new HashMap<>();
    private boolean closed;

    public WorkQueue(String name, int workers, Function<K, Result> handler, RetryBackoff backoff,
                     BiConsumer<K, Outcome> listener) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        this.handler = Objects.requireNonNull(handler, "handler");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.threads = DaemonThreads.fixed(name, workers);
        for (int i = 0; i < workers; i++) {
            threads.execute(this::work);
        }
    }

    /** Queues {@code key} to run as soon as a worker is free; ignored after close. */
    public void enqueue(K key) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            if (!closed) {
                makeReady(key);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code key} whose desired state changed: its failure count and back-off are forgotten
     * and it runs as soon as a worker is free (after the current run if it is in flight); ignored
     * after close.
     */
    public void enqueueChanged(K key) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            if (!closed) {
                if (inFlight.contains(key)) {
                    fresh.add(key); // the run in flight may still end in a Retry: forget it afterwards
                } else {
                    forgetStreak(key);
                }
                makeReady(key);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code key} to run after {@code delay}, unless it runs earlier anyway; ignored after close. */
    public void enqueueAfter(K key, Duration delay) {
        Objects.requireNonNull(key, "key");
        lock.lock();
        try {
            if (!closed) {
                schedule(key, delay);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting to run now (not counting scheduled keys, nor in-flight keys marked dirty). */
    public int depth() {
        return locked(ready::size);
    }

    /** Keys whose handler is running right now. */
    public Set<K> inFlight() {
        return locked(() -> Set.copyOf(inFlight));
    }

    /** When {@code key} is next scheduled to run (a retry, a requeue or an {@link #enqueueAfter}), if it is. */
    public Optional<Instant> nextRetry(K key) {
        return locked(() -> Optional.ofNullable(scheduled.get(key))
                .map(deadline -> Instant.now().plusNanos(deadline - System.nanoTime())));
    }

    /** Consecutive {@link Retry} results for {@code key} since its last Done or RequeueAfter. */
    public int failures(K key) {
        return locked(() -> failures.getOrDefault(key, 0));
    }

    /**
     * Blocks until nothing is waiting, scheduled-and-due, or in flight; false if {@code timeout}
     * passes first. Keys scheduled for later do not count.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                long nextDue = scheduled.isEmpty() ? now : scheduled.earliest();
                boolean dueNow = !scheduled.isEmpty() && nextDue - now <= 0;
                if (ready.isEmpty() && inFlight.isEmpty() && !dueNow) {
                    return true;
                }
                long left = end - now;
                if (left <= 0) {
                    return false;
                }
                // Wake at the next deadline too: a key falling due makes the queue busy again.
                changed.awaitNanos(scheduled.isEmpty() || dueNow ? left : Math.min(left, nextDue - now));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the workers and drops pending work; waits up to 5 s for running handlers. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ready.clear();
            scheduled.clear();
            held.clear();
            dirty.clear();
            fresh.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        threads.shutdown();
        if (workerThreads.contains(Thread.currentThread())) {
            return; // closed from a handler or listener: waiting would wait for ourselves
        }
        try {
            if (!threads.awaitTermination(CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                threads.shutdownNow(); // interrupts handlers stuck past the grace period
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void work() {
        workerThreads.add(Thread.currentThread());
        try {
            K key;
            while ((key = take()) != null) {
                run(key);
            }
        } catch (InterruptedException e) {
            // close() gave up waiting; the pool is going away
        } finally {
            workerThreads.remove(Thread.currentThread());
        }
    }

    /** The next key to run, marked in flight; null once closed. */
    private K take() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                promoteDue();
                Iterator<K> it = ready.iterator();
                if (it.hasNext()) {
                    K key = it.next();
                    it.remove();
                    scheduled.remove(key); // this run consumes any pending schedule (see class doc)
                    inFlight.add(key);
                    return key;
                }
                if (scheduled.isEmpty()) {
                    changed.await();
                } else {
                    changed.awaitNanos(scheduled.earliest() - System.nanoTime());
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void run(K key) {
        int attempt = failures(key) + 1;
        long start = System.nanoTime();
        Result result;
        try {
            result = Objects.requireNonNullElseGet(handler.apply(key), () -> new Retry("handler returned null"));
        } catch (Throwable e) { // any failure, even an Error, must not kill the worker or strand the key
            result = new Retry(e.getMessage() != null ? e.getMessage() : e.getClass().getName());
        }
        Outcome outcome = new Outcome(result, attempt, Duration.ofNanos(System.nanoTime() - start), Instant.now());
        lock.lock();
        try {
            if (!closed) {
                held.remove(key);
                switch (result) {
                    case Done d -> failures.remove(key);
                    case Retry r -> hold(key, backoff.delay(failures.merge(key, 1, Integer::sum)));
                    case RequeueAfter r -> {
                        failures.remove(key);
                        schedule(key, r.delay());
                    }
                    case Terminal t -> {
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        try {
            listener.accept(key, outcome);
        } catch (Throwable ignored) {
            // a broken listener must neither stop the reconcile loop nor strand the key in flight
        }
        lock.lock();
        try {
            inFlight.remove(key);
            if (fresh.remove(key)) {
                forgetStreak(key);
            }
            if (dirty.remove(key) && !closed) {
                makeReady(key); // unless the run just failed: then its retry waits for the back-off
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // --- helpers below run with the lock held ---

    /** Ready now, or dirty when in flight; a key held in back-off waits for its retry instead. */
    private void makeReady(K key) {
        if (held.ahead(key, System.nanoTime())) {
            scheduled.earliest(key, held.get(key)); // its retry, already scheduled; never earlier
        } else if (inFlight.contains(key)) {
            dirty.add(key);
        } else {
            ready.add(key);
        }
    }

    private void schedule(K key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            makeReady(key);
            return;
        }
        long deadline = System.nanoTime() + delay.toNanos();
        Long until = held.get(key);
        if (until != null && until - deadline > 0) {
            deadline = until; // a failed key's back-off is not cut short
        }
        scheduled.earliest(key, deadline);
    }

    /** After a Retry: the next run is exactly at the back-off's end, and nothing runs it earlier. */
    private void hold(K key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            makeReady(key);
            return;
        }
        long until = System.nanoTime() + delay.toNanos();
        held.set(key, until);
        scheduled.set(key, until);
    }

    private void forgetStreak(K key) {
        failures.remove(key);
        held.remove(key);
        scheduled.remove(key);
    }

    /** Moves every due schedule into the ready set (or marks its in-flight key dirty). */
    private void promoteDue() {
        scheduled.takeDue(System.nanoTime(), this::makeReady);
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
