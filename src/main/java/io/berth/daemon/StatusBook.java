package io.berth.daemon;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the daemon knows beyond the runtimes: each workload's last reconcile (phase, action,
 * error) and a ring buffer of recent events. In memory only: a restart relists the runtimes.
 * Thread-safe.
 */
public final class StatusBook {

    public enum Phase { Pending, Creating, Running, Stopped, Failed, Drifted, Deleting }

    public record Status(String name, Phase phase, String lastAction, String lastError, Instant reconciledAt,
                         List<String> notes) {
    }

    public record Event(Instant at, String name, String type, String message) {
    }

    static final int MAX_EVENTS = 500;

    private final Map<String, Status> statuses = new ConcurrentHashMap<>();
    private final Deque<Event> events = new ArrayDeque<>();

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

    void event(String name, String type, String message) {
        synchronized (events) {
            events.addLast(new Event(Instant.now(), name, type, message));
            while (events.size() > MAX_EVENTS) {
                events.removeFirst();
            }
        }
    }

    public List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }
}
