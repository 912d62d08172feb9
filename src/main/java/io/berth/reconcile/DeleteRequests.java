package io.berth.reconcile;

import io.berth.source.DesiredState;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names the API asked to delete although no source of this daemon declares them (a workload
 * created by a local {@code agent apply}). The apply service records a request; the next
 * reconcile of that name takes it and deletes the object even though its source is unknown.
 * Thread-safe, non-blocking.
 */
public final class DeleteRequests {

    private final DesiredState desired;
    private final Set<String> names = ConcurrentHashMap.newKeySet();

    public DeleteRequests(DesiredState desired) {
        this.desired = desired;
    }

    /**
     * Makes the next reconcile of this name delete it even though no source of this daemon
     * declares it; returns the generation whose reconciles see the request.
     */
    public long request(String name) {
        names.add(name);
        return desired.bump();
    }

    /** Whether a delete of this name was requested; the request is consumed. */
    boolean take(String name) {
        return names.remove(name);
    }
}
