package io.berth.source;

/**
 * Where a source reports what happened to it (a revision applied, an invalid commit, a fetch that
 * failed), for {@code agent events} and the API: the daemon's status book. Thread-safe.
 */
@FunctionalInterface
public interface SourceEvents {

    /** Records one event; {@code name} is the workload it concerns, null for the source as a whole. */
    void event(String name, String type, String message);
}
