package io.berth.reconcile;

import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.runtime.Observed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Carries out a {@link Decision}: the one place a reconcile touches the host (through the
 * {@link Executor}, also for the health-check restart), writes the status book and its events,
 * keeps the admission and restart bookkeeping, counts metrics ({@code berth.reconcile} by result,
 * {@code berth.reconcile.duration}, {@code berth.drift.repairs}) and publishes the
 * {@link ReconcileReports.Report}. Returns the work queue's verdict. Blocking while the executor
 * acts; thread-safe as long as one name is run by one thread at a time (the work queue's rule).
 */
final class DecisionRunner {

    /** Log lines keep the reconciler's category: operators filter on it. */
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    /** How often a workload waiting for capacity is looked at again even if nothing is freed. */
    static final Duration PENDING_RECHECK = Duration.ofSeconds(30);
    /** How often a workload waiting for a dependency looks again (no event names the dependants of a change). */
    static final Duration DEPENDENCY_RECHECK = Duration.ofSeconds(2);

    private final Admission admission;
    private final Restarts restarts;
    private final StatusBook book;
    private final Executor executor;
    private final ReconcileReports reports;
    private final Consumer<Set<String>> retryNow;
    private final PrunedAll prunes;
    // A histogram, so dashboards and alerts can take quantiles across hosts (a summary's cannot be aggregated).
    private final Timer duration = Timer.builder("berth.reconcile.duration")
            .description("Time one reconcile of one workload took, from observing it to the last action")
            .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
                    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60))
            .register(Metrics.globalRegistry);

    DecisionRunner(Admission admission, Restarts restarts, StatusBook book, Executor executor,
                   ReconcileReports reports, Consumer<Set<String>> retryNow, PrunedAll prunes) {
        this.admission = admission;
        this.restarts = restarts;
        this.book = book;
        this.executor = executor;
        this.reports = reports;
        this.retryNow = retryNow;
        this.prunes = prunes;
        driftRepairs(); // exported from the start, at 0, so increase() sees the first one
        for (String r : List.of("done", "retry", "requeue", "terminal")) {
            reconciles(r);
        }
    }

    WorkQueue.Result run(Decisions.Facts f, Decision decision, long generation) {
        String name = f.name();
        Observed o = f.have();
        return switch (decision) {
            case Decision.Forget x -> {
                book.forget(name);
                release(name);
                report(name, generation, null, null);
                yield new WorkQueue.Done();
            }
            case Decision.Steady s -> {
                admission.count(name, Admission.Need.of(f.want()));
                restarts.running(name);
                put(name, StatusBook.Phase.Running, "unchanged", null, o.notes(), null);
                report(name, generation, s.action(), null);
                yield new WorkQueue.Done();
            }
            case Decision.StaysStopped s -> {
                put(name, StatusBook.Phase.Stopped, "unchanged", s.action().reason(), notes(o), null);
                release(name);
                report(name, generation, s.action(), null);
                yield new WorkQueue.Done();
            }
            case Decision.ReportDrift d -> {
                if (d.firstSeen()) {
                    book.event(name, "DriftDetected", d.drift());
                    LOG.infof("%s: drift detected, not repaired (detect-only): %s", name, d.drift());
                }
                put(name, StatusBook.Phase.Drifted, d.action().verb(), d.drift(), notes(o), null);
                report(name, generation, d.action(), "detect-only mode: drift reported, not repaired");
                yield new WorkQueue.Done();
            }
            case Decision.WaitBackoff w -> waitBackoff(f, w, generation);
            case Decision.Pending p -> {
                if (p.firstSeen()) {
                    book.event(name, "Pending", p.reason());
                    LOG.infof("%s: pending: %s", name, p.reason());
                }
                put(name, StatusBook.Phase.Pending, p.action().verb(), p.reason(), notes(o), null);
                report(name, generation, p.action(), "pending: " + p.reason());
                yield new WorkQueue.RequeueAfter(PENDING_RECHECK, "waiting for capacity");
            }
            case Decision.Waiting w -> {
                if (w.firstSeen()) {
                    book.event(name, "Pending", w.reason());
                    LOG.infof("%s: pending: %s", name, w.reason());
                }
                put(name, StatusBook.Phase.Pending, w.action().verb(), w.reason(), notes(o), null);
                report(name, generation, w.action(), "pending: " + w.reason());
                yield new WorkQueue.RequeueAfter(DEPENDENCY_RECHECK, w.reason());
            }
            case Decision.LeftAlone l -> {
                if (l.firstSeen()) {
                    book.event(name, "Refused", l.action().reason());
                    LOG.warnf("%s: %s", name, l.action().reason());
                }
                // Unreadable record: Berth does not know what runs (Unknown); a refused manifest change: Failed.
                put(name, l.action().error() == null ? StatusBook.Phase.Unknown : StatusBook.Phase.Failed,
                        l.action().verb(), l.action().reason(), notes(o), null);
                report(name, generation, l.action(), l.action().reason());
                yield new WorkQueue.Done();
            }
            case Decision.PolicyRefused x -> {
                boolean runs = o != null && o.state() == io.berth.runtime.WorkloadState.Running;
                if (runs) {
                    admission.count(name, Admission.Need.of(o.applied() != null ? o.applied() : f.want())); // it holds its capacity
                }
                put(name, runs ? StatusBook.Phase.Running : o != null ? StatusBook.Phase.Stopped : StatusBook.Phase.Failed,
                        "refused", x.reason(), notes(o), null);
                report(name, generation, null, x.reason());
                yield new WorkQueue.Terminal(x.reason()); // reported at load; a resync looks again, quietly
            }
            case Decision.Act a -> act(f, a, generation);
            case Decision.RestartUnhealthy r -> restartUnhealthy(f, generation);
        };
    }

    /** The runtime could not be reached while observing: the workload waits, the queue retries. */
    WorkQueue.Result unreachable(String name, long generation, RuntimeException e) {
        put(name, StatusBook.Phase.Pending, "observe", e.getMessage(), List.of(), null);
        report(name, generation, null, e.getMessage());
        return new WorkQueue.Retry(e.getMessage());
    }

    /** Counts one finished reconcile that began at {@code startedNanos} ({@link System#nanoTime}). */
    void measured(WorkQueue.Result result, long startedNanos) {
        duration.record(Duration.ofNanos(System.nanoTime() - startedNanos));
        reconciles(switch (result) {
            case WorkQueue.Done d -> "done";
            case WorkQueue.Retry r -> "retry";
            case WorkQueue.RequeueAfter r -> "requeue";
            case WorkQueue.Terminal t -> "terminal";
        }).increment();
    }

    private static Counter reconciles(String result) {
        return Counter.builder("berth.reconcile").tag("result", result)
                .description("Reconciles of one workload finished, by result: done, retry (failed, retried with back-off), "
                        + "requeue (checked again later), terminal (cannot succeed until the manifest changes)")
                .register(Metrics.globalRegistry);
    }

    private static Counter driftRepairs() {
        return Counter.builder("berth.drift.repairs")
                .description("Changes made outside Berth (a container or VM edited, stopped or removed by hand) that Berth undid")
                .register(Metrics.globalRegistry);
    }

    private WorkQueue.Result waitBackoff(Decisions.Facts f, Decision.WaitBackoff w, long generation) {
        String name = f.name();
        Observed o = f.have();
        if (w.unhealthy()) {
            admission.count(name, Admission.Need.of(f.want())); // it runs: it holds its capacity
            put(name, StatusBook.Phase.Running, "restart", "health check failing; restart back-off until "
                    + w.until(), o.notes(), w.until());
        } else {
            put(name, StatusBook.Phase.Stopped, "start", w.action().reason() + "; restart back-off until " + w.until(),
                    notes(o), w.until());
        }
        report(name, generation, w.action(), "waiting to restart (back-off) until " + w.until());
        return new WorkQueue.RequeueAfter(Duration.between(Instant.now(), w.until()), "restart back-off");
    }

    private WorkQueue.Result act(Decisions.Facts f, Decision.Act a, long generation) {
        String name = f.name();
        Observed o = f.have();
        Action action = a.action();
        if (action instanceof Action.Delete && f.want() == null && !f.deleteRequested()) {
            prunes.pruning(name, o.source());
        }
        put(name, action instanceof Action.Delete ? StatusBook.Phase.Deleting : StatusBook.Phase.Creating,
                action.verb(), null, notes(o), null);
        Outcome outcome = executor.execute(new Plan(List.of(action)), x -> { }).outcomes().getFirst();
        reports.publish(new ReconcileReports.Report(name, generation, Answers.outcome(outcome)));
        if (!outcome.ok()) {
            put(name, StatusBook.Phase.Failed, action.verb(), outcome.error(), notes(o), null);
            if (outcome.terminal()) {
                return terminal(f, action, outcome.error());
            }
            book.event(name, "Failed", outcome.error());
            LOG.warnf("%s: %s failed, will retry: %s", name, action.verb(), outcome.error());
            return new WorkQueue.Retry(outcome.error());
        }
        if (a.restart()) {
            restarts.restarted(name, Instant.now());
        }
        if (a.drift()) {
            driftRepairs().increment();
        }
        // What the runtime did beyond the plan's verb (a disk kept or grown, a container replaced) is part of it.
        String notes = outcome.notes().isEmpty() ? "" : "; " + String.join("; ", outcome.notes());
        book.event(name, a.restart() ? "Restarted" : eventType(action), action.verb() + ": " + action.reason() + notes);
        LOG.infof("%s: %s (%s) in %d ms%s", name, outcome.done(), action.reason(), outcome.took().toMillis(), notes);
        if (action instanceof Action.Delete) {
            book.forget(name);
            restarts.forget(name);
            release(name);
        } else {
            put(name, StatusBook.Phase.Running, action.verb(), null, outcome.notes(), null);
        }
        return new WorkQueue.Done();
    }

    /**
     * Retrying cannot fix it (the name is taken by an object Berth does not own): reported once
     * (the event and log line only when the last reconcile did not already fail so), not retried.
     */
    private WorkQueue.Result terminal(Decisions.Facts f, Action action, String error) {
        StatusBook.Status before = f.status();
        if (before == null || before.phase() != StatusBook.Phase.Failed || !error.equals(before.lastError())) {
            book.event(f.name(), "Failed", error);
            LOG.warnf("%s: %s failed, not retried until its manifest changes or a resync or event brings it back: %s",
                    f.name(), action.verb(), error);
        }
        return new WorkQueue.Terminal(error);
    }

    private WorkQueue.Result restartUnhealthy(Decisions.Facts f, long generation) {
        String name = f.name();
        Observed o = f.have();
        Workload want = f.want();
        admission.count(name, Admission.Need.of(want)); // it runs: it holds its capacity
        Outcome outcome = executor.restart(want, o);
        if (!outcome.ok()) {
            put(name, StatusBook.Phase.Failed, "restart", outcome.error(), o.notes(), null);
            book.event(name, "Failed", outcome.error());
            return new WorkQueue.Retry(outcome.error());
        }
        restarts.restarted(name, Instant.now());
        book.event(name, "Restarted", "restart: its health check failed (Docker reports it unhealthy)");
        LOG.infof("%s: restarted: its health check failed", name);
        put(name, StatusBook.Phase.Running, "restart", null, o.notes(), null);
        reports.publish(new ReconcileReports.Report(name, generation, Answers.outcome(outcome)));
        return new WorkQueue.Done();
    }

    private void release(String name) {
        Set<String> waiting = admission.release(name);
        if (!waiting.isEmpty()) {
            retryNow.accept(waiting);
        }
    }

    /** Reports a reconcile that changed nothing: up to date, waiting, refused, or nothing to do at all ({@code action} null). */
    private void report(String name, long generation, Action action, String error) {
        reports.publish(new ReconcileReports.Report(name, generation, action != null
                ? Answers.outcome(new Outcome(action, error, Duration.ZERO, List.of()))
                : Answers.outcome(name, "none", "unchanged", error, 0.0, List.of())));
    }

    /** Builds and files a status line. */
    private void put(String name, StatusBook.Phase phase, String action, String error, List<String> notes, Instant next) {
        book.put(new StatusBook.Status(name, phase, action, error, Instant.now(), notes, restarts.total(name), next));
    }

    private static String eventType(Action a) {
        return switch (a) {
            case Action.Create c -> "Created";
            case Action.UpdateInPlace u -> "Updated";
            case Action.Recreate r -> "Recreated";
            case Action.Start s -> "Started";
            case Action.Delete d -> "Deleted";
            case Action.Unchanged u -> "Unchanged";
            case Action.Refused r -> "Refused";
        };
    }

    private static List<String> notes(Observed o) {
        return o == null ? List.of() : o.notes();
    }
}
