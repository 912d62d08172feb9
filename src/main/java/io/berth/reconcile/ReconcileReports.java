package io.berth.reconcile;

import io.berth.source.DesiredState;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where finished reconciles are announced: the reconciler publishes one {@link Report} per
 * reconcile, and whoever waits for reconciles (the apply service's waiters) subscribes. It lets
 * the reconciler report without knowing who listens, so the reconciler and the apply service do
 * not depend on each other.
 *
 * <p>Thread-safe; {@link #publish} calls every subscriber on the publishing (worker) thread, in
 * subscription order. Subscribers must be quick and must not block or throw: a throwing
 * subscriber fails the reconcile that published (it counts as a retry of that name).
 */
public final class ReconcileReports {

    /**
     * One finished reconcile: which name, the generation of the API-applied desired state it read
     * ({@link DesiredState#generation}), what came of it (a {@code Views.outcome} tree).
     */
    public record Report(String name, long generation, io.berth.api.dto.OutcomeView outcome) {
    }

    private final List<Consumer<Report>> subscribers = new CopyOnWriteArrayList<>();

    /** Receives every report from now on until the returned handle is closed. */
    public AutoCloseable subscribe(Consumer<Report> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Hands the report to every current subscriber. */
    public void publish(Report report) {
        for (Consumer<Report> s : subscribers) {
            s.accept(report);
        }
    }
}
