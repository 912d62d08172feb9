package io.berth.reconcile;

import io.berth.source.DesiredState;

import io.berth.api.Views;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.plan.Planner;
import io.berth.reconcile.Executor;
import io.berth.reconcile.Outcome;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.runtime.WorkloadState;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Reconciles one workload by name, level-triggered: whatever enqueued the name, it re-reads the
 * desired spec and what the runtimes report, asks the same pure planner {@code agent plan} uses,
 * and carries out that one decision — after admission (does it fit?) and the restart back-off
 * (may it restart yet?). Returns the work queue's verdict (done, retry with backoff, requeue
 * after a delay). Thread-safe: the work queue never runs one name twice at a time.
 */
public final class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    /** How often a workload waiting for capacity is looked at again even if nothing is freed. */
    static final Duration PENDING_RECHECK = Duration.ofSeconds(30);

    /**
     * One finished reconcile: which name, the generation of the API-applied desired state it read
     * ({@link DesiredState#generation}), what came of it (a {@link Views#outcome} tree).
     */
    public record Report(String name, long generation, io.berth.api.dto.OutcomeView outcome) {
    }

    private final RuntimeSet runtimes;
    private final DesiredState desired;
    private final Admission admission;
    private final Restarts restarts;
    private final boolean detectOnly;
    private final Duration grace;
    private final StatusBook book;
    private final Executor executor;
    private final Consumer<Report> reports;
    private final Consumer<Set<String>> retryNow;
    /** Names the API asked to delete although no source declares them (created by a local apply). */
    private final Set<String> deleteRequested = ConcurrentHashMap.newKeySet();
    private final Timer duration = Metrics.timer("berth.reconcile.duration");

    public Reconciler(RuntimeSet runtimes, DesiredState desired, Admission admission, Restarts restarts, String agent,
               boolean detectOnly, Duration grace, StatusBook book, Consumer<Report> reports,
               Consumer<Set<String>> retryNow) {
        this.runtimes = runtimes;
        this.desired = desired;
        this.admission = admission;
        this.restarts = restarts;
        this.detectOnly = detectOnly;
        this.grace = grace;
        this.book = book;
        this.reports = reports;
        this.retryNow = retryNow;
        Metrics.counter("berth.drift.repairs"); // exported from the start, at 0
        this.executor = new Executor(runtimes, w -> {
            DesiredState.Entry e = desired.find(w.name());
            return new Ownership(agent, e == null ? desired.directorySource() : e.source());
        }, 1, grace);
    }

    /**
     * Makes the next reconcile of this name delete it even though no source of this daemon
     * declares it; returns the generation whose reconciles see the request.
     */
    long requestDelete(String name) {
        deleteRequested.add(name);
        return desired.bump();
    }

    public WorkQueue.Result reconcile(String name) {
        long started = System.nanoTime();
        long generation = desired.generation(); // before reading the desired state: see DesiredState
        WorkQueue.Result result;
        try {
            result = decideAndAct(name, generation);
        } catch (RuntimeUnavailableException e) {
            Status.put(book, name, StatusBook.Phase.Pending, "observe", e.getMessage(), List.of(), restarts, null);
            report(name, generation, null, e.getMessage());
            result = new WorkQueue.Retry(e.getMessage());
        }
        duration.record(Duration.ofNanos(System.nanoTime() - started));
        Metrics.counter("berth.reconcile", "result", switch (result) {
            case WorkQueue.Done d -> "done";
            case WorkQueue.Retry r -> "retry";
            case WorkQueue.RequeueAfter r -> "requeue";
            case WorkQueue.Terminal t -> "terminal";
        }).increment();
        return result;
    }

    private WorkQueue.Result decideAndAct(String name, long generation) {
        DesiredState.Entry entry = desired.find(name);
        Workload want = entry == null ? null : entry.workload();
        Optional<Observed> have = runtimes.find(name, want == null ? null : want.kind());
        Action action;
        if (want == null) {
            admission.forget(name);
            boolean requested = deleteRequested.remove(name);
            if (have.isEmpty() || !(requested || desired.knows(have.get().source()))) {
                book.forget(name); // not ours to remove: no source of this daemon declared it
                release(name);
                report(name, generation, null, null);
                return new WorkQueue.Done();
            }
            action = new Action.Delete(have.get(), requested ? "deletion requested"
                    : "no longer declared in " + have.get().source());
        } else {
            action = Planner.decide(want, have.orElse(null));
        }
        Observed o = have.orElse(null);
        if (!action.hasEffect()) {
            return steady(name, generation, want, o, action);
        }
        if (detectOnly) {
            String drift = "would " + action.description() + ": " + action.reason();
            StatusBook.Status before = book.get(name);
            if (before == null || before.phase() != StatusBook.Phase.Drifted || !drift.equals(before.lastError())) {
                book.event(name, "DriftDetected", drift); // once per distinct drift, not at every resync
                LOG.infof("%s: drift detected, not repaired (detect-only): %s", name, drift);
            }
            Status.put(book, name, StatusBook.Phase.Drifted, action.verb(), drift, notes(o), restarts, null);
            report(name, generation, action, "detect-only mode: drift reported, not repaired");
            return new WorkQueue.Done();
        }
        boolean restart = action instanceof Action.Start && o != null && o.state() == WorkloadState.Exited;
        if (restart) {
            Instant next = restarts.nextAllowed(name, Instant.now());
            if (next.isAfter(Instant.now())) {
                String why = action.reason() + "; restart back-off until " + next;
                Status.put(book, name, StatusBook.Phase.Stopped, "start", why, notes(o), restarts, next);
                report(name, generation, action, "waiting to restart (back-off) until " + next);
                return new WorkQueue.RequeueAfter(Duration.between(Instant.now(), next), "restart back-off");
            }
        }
        if (!(action instanceof Action.Delete)) {
            Admission.Decision fit = admission.admit(name, Admission.Need.of(want));
            if (!fit.admitted()) {
                StatusBook.Status before = book.get(name);
                if (before == null || !fit.reason().equals(before.lastError())) {
                    book.event(name, "Pending", fit.reason());
                    LOG.infof("%s: pending: %s", name, fit.reason());
                }
                Status.put(book, name, StatusBook.Phase.Pending, action.verb(), fit.reason(), notes(o), restarts, null);
                report(name, generation, action, "pending: " + fit.reason());
                return new WorkQueue.RequeueAfter(PENDING_RECHECK, "waiting for capacity");
            }
        }
        boolean drift = isDrift(name, want, o, action);
        Status.put(book, name, action instanceof Action.Delete ? StatusBook.Phase.Deleting : StatusBook.Phase.Creating,
                action.verb(), null, notes(o), restarts, null);
        Outcome outcome = executor.execute(new Plan(List.of(action)), x -> { }).outcomes().getFirst();
        reports.accept(new Report(name, generation, Views.outcome(outcome)));
        if (!outcome.ok()) {
            Status.put(book, name, StatusBook.Phase.Failed, action.verb(), outcome.error(), notes(o), restarts, null);
            book.event(name, "Failed", outcome.error());
            LOG.warnf("%s: %s failed, will retry: %s", name, action.verb(), outcome.error());
            return new WorkQueue.Retry(outcome.error());
        }
        if (restart) {
            restarts.restarted(name, Instant.now());
        }
        if (drift) {
            Metrics.counter("berth.drift.repairs").increment();
        }
        book.event(name, restart ? "Restarted" : eventType(action), action.verb() + ": " + action.reason());
        LOG.infof("%s: %s (%s) in %d ms", name, outcome.done(), action.reason(), outcome.took().toMillis());
        if (action instanceof Action.Delete) {
            book.forget(name);
            restarts.forget(name);
            release(name);
        } else {
            Status.put(book, name, StatusBook.Phase.Running, action.verb(), null, outcome.notes(), restarts, null);
        }
        return new WorkQueue.Done();
    }

    /** Nothing to change in the spec: count it, restart it if its health check failed, or note it stopped for good. */
    private WorkQueue.Result steady(String name, long generation, Workload want, Observed o, Action action) {
        if (o != null && o.state() == WorkloadState.Running) {
            admission.count(name, Admission.Need.of(want));
            if (o.unhealthy() && restartable(want) && !detectOnly) {
                return restartUnhealthy(name, generation, want, o, action);
            }
            restarts.running(name);
            Status.put(book, name, StatusBook.Phase.Running, "unchanged", null, o.notes(), restarts, null);
        } else {
            // Stopped and meant to stay so (restartPolicy): it no longer holds capacity.
            Status.put(book, name, StatusBook.Phase.Stopped, "unchanged", action.reason(), notes(o), restarts, null);
            release(name);
        }
        report(name, generation, action, null);
        return new WorkQueue.Done();
    }

    /** Docker marks a container unhealthy after its check failed {@code retries} times, but never restarts it (moby#28400). */
    private WorkQueue.Result restartUnhealthy(String name, long generation, Workload want, Observed o, Action action) {
        Instant next = restarts.nextAllowed(name, Instant.now());
        if (next.isAfter(Instant.now())) {
            Status.put(book, name, StatusBook.Phase.Running, "restart", "health check failing; restart back-off until "
                    + next, o.notes(), restarts, next);
            report(name, generation, action, "waiting to restart (back-off) until " + next);
            return new WorkQueue.RequeueAfter(Duration.between(Instant.now(), next), "restart back-off");
        }
        Runtime r = runtimes.require(want.kind());
        long t0 = System.nanoTime();
        try {
            r.stop(name, grace);
            r.start(name);
        } catch (RuntimeFailure e) {
            String error = name + ": restart after failed health checks failed: " + e.getMessage();
            Status.put(book, name, StatusBook.Phase.Failed, "restart", error, o.notes(), restarts, null);
            book.event(name, "Failed", error);
            return new WorkQueue.Retry(error);
        }
        restarts.restarted(name, Instant.now());
        book.event(name, "Restarted", "restart: its health check failed (Docker reports it unhealthy)");
        LOG.infof("%s: restarted: its health check failed", name);
        Status.put(book, name, StatusBook.Phase.Running, "restart", null, o.notes(), restarts, null);
        reports.accept(new Report(name, generation, Views.outcome(new Outcome(new Action.Start(want, o, "health check failed"),
                null, Duration.ofNanos(System.nanoTime() - t0), List.of()))));
        return new WorkQueue.Done();
    }

    private static boolean restartable(Workload w) {
        return !(w.spec() instanceof ContainerSpec c) || c.restartPolicy() != ContainerSpec.RestartPolicy.Never;
    }

    /** A repair of something that changed on the host, not of a changed manifest. */
    private boolean isDrift(String name, Workload want, Observed o, Action action) {
        if (want == null || action instanceof Action.Delete) {
            return false;
        }
        if (o == null) {
            StatusBook.Status s = book.get(name);
            return s != null && s.phase() == StatusBook.Phase.Running; // it ran, then vanished
        }
        return o.specHash() != null && o.specHash().equals(io.berth.manifest.CanonicalForm.specHash(want));
    }

    private void release(String name) {
        Set<String> waiting = admission.release(name);
        if (!waiting.isEmpty()) {
            retryNow.accept(waiting);
        }
    }

    /** Reports a reconcile that changed nothing: up to date, waiting, refused, or nothing to do at all ({@code action} null). */
    private void report(String name, long generation, Action action, String error) {
        reports.accept(new Report(name, generation, action != null
                ? Views.outcome(new Outcome(action, error, Duration.ZERO, List.of()))
                : Views.outcome(name, "none", "unchanged", error, 0.0, List.of())));
    }

    private static String eventType(Action a) {
        return switch (a) {
            case Action.Create c -> "Created";
            case Action.UpdateInPlace u -> "Updated";
            case Action.Recreate r -> "Recreated";
            case Action.Start s -> "Started";
            case Action.Delete d -> "Deleted";
            case Action.Unchanged u -> "Unchanged";
        };
    }

    private static List<String> notes(Observed o) {
        return o == null ? List.of() : o.notes();
    }

    /** Builds and files a status line. */
    private static final class Status {
        static void put(StatusBook book, String name, StatusBook.Phase phase, String action, String error,
                        List<String> notes, Restarts restarts, Instant next) {
            book.put(new StatusBook.Status(name, phase, action, error, Instant.now(), notes, restarts.total(name), next));
        }
    }
}
