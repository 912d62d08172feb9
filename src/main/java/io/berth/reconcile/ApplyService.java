package io.berth.reconcile;

import io.berth.source.DesiredState;

import io.berth.api.dto.ApplyAnswer;
import io.berth.api.dto.OutcomeView;
import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.plan.PlanOptions;
import io.berth.plan.Planner;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.RuntimeSet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Plan, apply and delete through the daemon. An apply never acts on the host itself: it checks
 * and records the new desired state of its sources, enqueues the names it changes, and waits for
 * the work queue's reconcile of each — so the one-worker-per-name rule holds and the daemon's
 * loop, not the request, owns the host. The answer carries the plan and each workload's outcome,
 * in the same shape {@code agent apply --local} prints.
 */
public final class ApplyService {

    /** Manifests of one request: the workloads and each one's source. */
    public record Request(List<Workload> workloads, Map<String, String> sourceOf, Set<String> sources, boolean prune) {
    }

    /** Completed by the first report of a reconcile that read at least generation {@code after}. */
    private record Waiter(java.util.concurrent.atomic.AtomicLong after, CompletableFuture<OutcomeView> result) {
    }

    private final DesiredState desired;
    private final RuntimeSet runtimes;
    private final WorkQueue<String> queue;
    private final DeleteRequests deletes;
    private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();

    private final io.berth.manifest.HostIdentity host;
    private final Duration timeout;

    public ApplyService(DesiredState desired, RuntimeSet runtimes, WorkQueue<String> queue, DeleteRequests deletes,
                        io.berth.manifest.HostIdentity host, Duration timeout) {
        this.timeout = timeout;
        this.host = host;
        this.desired = desired;
        this.runtimes = runtimes;
        this.queue = queue;
        this.deletes = deletes;
    }

    /** How long API apply and delete wait for the reconciles they cause ({@code berth.apply-timeout}). */
    public Duration timeout() {
        return timeout;
    }

    /** Subscribed to {@link ReconcileReports}: completes the waiters that began before this reconcile. */
    public void reconciled(ReconcileReports.Report report) {
        List<Waiter> ws = waiters.get(report.name());
        if (ws == null) {
            return;
        }
        for (Waiter w : ws) {
            if (report.generation() >= w.after().get()) {
                w.result().complete(report.outcome());
            }
        }
    }

    /**
     * What applying the request would change on this host; nothing is recorded. A request that
     * asks for what would lose data (a smaller disk) is refused whole with the fields' positions
     * ({@link io.berth.manifest.ManifestException}, from the planner), before anything is recorded. Workloads placed
     * on other hosts are recorded by an apply too (the source is the whole set) but not planned here.
     */
    public Plan plan(Request request) {
        List<Workload> here = host.place(request.workloads()).here();
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        here.forEach(w -> kinds.add(w.kind()));
        return Planner.plan(here, runtimes.list().require(kinds, null), new PlanOptions(request.prune(), request.sources(),
                runtimes.redaction()));
    }

    /** The request's workloads whose placement selects other hosts, with why. */
    public List<String> elsewhere(Request request) {
        return host.place(request.workloads()).elsewhere();
    }

    /**
     * Records the request's workloads as their sources' desired state and waits (up to
     * {@code timeout}) for the reconcile of every name it changes.
     *
     * @throws DesiredState.Conflict when a name belongs to another source (nothing recorded)
     */
    public ApplyAnswer apply(Request request, boolean dryRun, Duration timeout) {
        for (String s : request.sources()) {
            if (s.startsWith(DesiredState.GIT_PREFIX)) {
                throw new DesiredState.Conflict(List.of("source " + s + " is the git source: push a commit instead"));
            }
        }
        Plan plan = plan(request);
        if (dryRun) {
            checkConflicts(request);
            return new ApplyAnswer(Answers.plan(plan), elsewhere(request), List.of());
        }
        Map<String, List<Workload>> bySource = new LinkedHashMap<>();
        request.sources().forEach(s -> bySource.put(s, new ArrayList<>()));
        request.workloads().forEach(w -> bySource.get(request.sourceOf().get(w.name())).add(w));
        List<String> names = new ArrayList<>();
        for (Action a : plan.actions()) {
            if (a.hasEffect()) {
                names.add(a.name());
            }
        }
        Map<String, Waiter> pending = register(names);
        try {
            Set<String> touched = desired.apply(bySource, request.prune());
            arm(pending, desired.generation());
            touched.forEach(queue::enqueueChanged); // a changed spec is a fresh start: no back-off left over
            names.forEach(queue::enqueue);
            List<OutcomeView> result = new ArrayList<>(await(pending, timeout));
            for (Action a : plan.actions()) {
                if (!a.hasEffect()) {
                    result.add(Answers.outcome(new io.berth.reconcile.Outcome(a,
                            a instanceof Action.Refused r ? r.reason() : null, Duration.ZERO, List.of())));
                }
            }
            result.sort(java.util.Comparator.comparing(OutcomeView::name));
            return new ApplyAnswer(Answers.plan(plan), elsewhere(request), result);
        } finally {
            unregister(pending);
        }
    }

    /** Deletes one workload: from its API source, or (not declared by any) directly; waits for it. */
    public OutcomeView delete(String name, Duration timeout) {
        Map<String, Waiter> pending = register(List.of(name));
        try {
            arm(pending, desired.remove(name) == null ? deletes.request(name) : desired.generation());
            queue.enqueueChanged(name); // a deletion does not wait for a failing create's back-off
            return await(pending, timeout).getFirst();
        } finally {
            unregister(pending);
        }
    }

    /**
     * Reconciles these names now and waits (up to {@code timeout}) for the outcome of each: a
     * reconcile that read the desired state as it is now or later (what {@code agent reconcile
     * --wait} reports).
     */
    List<OutcomeView> reconcile(Set<String> names, Duration timeout) {
        Map<String, Waiter> pending = register(List.copyOf(names));
        try {
            arm(pending, desired.generation());
            names.forEach(queue::enqueue);
            List<OutcomeView> out = new ArrayList<>(await(pending, timeout));
            out.sort(java.util.Comparator.comparing(OutcomeView::name));
            return out;
        } finally {
            unregister(pending);
        }
    }

    /** The dry run's conflict check, without recording anything. */
    private void checkConflicts(Request request) {
        List<String> conflicts = new ArrayList<>();
        for (Workload w : request.workloads()) {
            DesiredState.Entry e = desired.find(w.name());
            String source = request.sourceOf().get(w.name());
            if (e != null && !e.source().equals(source)) {
                conflicts.add(w.origin() + ": " + w.name() + " is already declared by source " + e.source());
            }
        }
        if (!conflicts.isEmpty()) {
            throw new DesiredState.Conflict(conflicts);
        }
    }

    /** Waiters that no report completes until armed (before the change is made, so none is missed). */
    private Map<String, Waiter> register(List<String> names) {
        Map<String, Waiter> out = new LinkedHashMap<>();
        for (String n : names) {
            Waiter w = new Waiter(new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE), new CompletableFuture<>());
            waiters.computeIfAbsent(n, k -> new CopyOnWriteArrayList<>()).add(w);
            out.put(n, w);
        }
        return out;
    }

    /** From now on, a report of a reconcile that read {@code generation} or later completes them. */
    private static void arm(Map<String, Waiter> pending, long generation) {
        pending.values().forEach(w -> w.after().set(generation));
    }

    private void unregister(Map<String, Waiter> pending) {
        pending.forEach((name, w) -> waiters.computeIfPresent(name, (k, list) -> {
            list.remove(w);
            return list.isEmpty() ? null : list;
        }));
    }

    private static List<OutcomeView> await(Map<String, Waiter> pending, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<OutcomeView> out = new ArrayList<>();
        for (Map.Entry<String, Waiter> e : pending.entrySet()) {
            try {
                out.add(e.getValue().result().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException ex) {
                out.add(Answers.outcome(e.getKey(), "unknown", "in progress", e.getKey() + ": still in progress after "
                        + timeout.toSeconds() + " s; the daemon keeps working on it (see `agent describe " + e.getKey() + "`)",
                        timeout.toSeconds(), List.of()));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            } catch (ExecutionException ex) {
                throw new IllegalStateException(ex.getCause());
            }
        }
        return out;
    }
}
