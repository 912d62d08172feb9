package io.berth.reconcile;

import io.berth.source.SourceEvents;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the daemon knows beyond the runtimes: each workload's last reconcile (phase, action,
 * error, restarts) and a ring buffer of recent events, which watchers also receive as they
 * happen. In memory only: a restart relists the runtimes. Thread-safe.
 */
public final class StatusBook implements SourceEvents {

    /** {@code Unknown}: Berth cannot read what it recorded on the object, so it leaves it alone. */
    public enum Phase { Pending, Creating, Running, Stopped, Failed, Drifted, Deleting, Unknown }

    /**
     * @param lastAction  the verb of the last decision (create, update, start, unchanged, …)
     * @param lastError   why the last attempt failed or why it waits, null when all is well
     * @param restarts    restarts Berth made (restartPolicy, failed health checks) since it started
     * @param nextAttempt when a waiting restart or retry is due, null when none is
     */
    public record Status(String name, Phase phase, String lastAction, String lastError, Instant reconciledAt,
                         List<String> notes, int restarts, Instant nextAttempt) {
    }

    public record Event(Instant at, String name, String type, String message) {
    }

    static final int MAX_EVENTS = 500;

    private final Map<String, Status> statuses = new ConcurrentHashMap<>();
    private final Deque<Event> events = new ArrayDeque<>();
    private final List<Consumer<Event>> watchers = new CopyOnWriteArrayList<>();

    void put(Status s) {
        statuses.put(s.name(), s);
    }

    void forget(String name) {
        statuses.remove(name);
    }

    public Status get(String name) {
        return statuses.get(name);
    }

    public Map<String, Status> all() {
        return Map.copyOf(statuses);
    }

    @Override
    public void event(String name, String type, String message) {
        Event e = new Event(Instant.now(), name, type, message);
        synchronized (events) {
            events.addLast(e);
            while (events.size() > MAX_EVENTS) {
                events.removeFirst();
            }
        }
        for (Consumer<Event> w : watchers) {
            w.accept(e);
        }
    }

    public List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    /** Receives every event from now on until the returned handle is closed. Must not block. */
    public AutoCloseable watch(Consumer<Event> watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }
}
