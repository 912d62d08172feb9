package io.berth.reconcile;

import io.berth.source.DesiredState;

import io.berth.api.Views;
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
    private record Waiter(java.util.concurrent.atomic.AtomicLong after, CompletableFuture<Map<String, Object>> result) {
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
     * What applying the request would change on this host; nothing is recorded. Workloads placed
     * on other hosts are recorded by an apply too (the source is the whole set) but not planned here.
     */
    public Plan plan(Request request) {
        List<Workload> here = request.workloads().stream().filter(w -> host.accepts(w.placement())).toList();
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        here.forEach(w -> kinds.add(w.kind()));
        return Planner.plan(here, runtimes.list().require(kinds, null), new PlanOptions(request.prune(), request.sources(),
                runtimes.redaction()));
    }

    /** The request's workloads whose placement selects other hosts, with why. */
    public List<String> elsewhere(Request request) {
        return request.workloads().stream().filter(w -> !host.accepts(w.placement()))
                .map(w -> w.name() + ": " + host.why(w.placement())).toList();
    }

    /**
     * Records the request's workloads as their sources' desired state and waits (up to
     * {@code timeout}) for the reconcile of every name it changes.
     *
     * @throws DesiredState.Conflict when a name belongs to another source (nothing recorded)
     */
    public Map<String, Object> apply(Request request, boolean dryRun, Duration timeout) {
        for (String s : request.sources()) {
            if (s.startsWith(DesiredState.GIT_PREFIX)) {
                throw new DesiredState.Conflict(List.of("source " + s + " is the git source: push a commit instead"));
            }
        }
        Plan plan = plan(request);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("plan", Views.plan(plan));
        answer.put("elsewhere", elsewhere(request));
        if (dryRun) {
            checkConflicts(request);
            answer.put("result", List.of());
            return answer;
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
            touched.forEach(queue::enqueue);
            names.forEach(queue::enqueue);
            List<Map<String, Object>> result = new ArrayList<>(await(pending, timeout));
            for (Action a : plan.actions()) {
                if (!a.hasEffect()) {
                    result.add(Views.outcome(new io.berth.reconcile.Outcome(a, null, Duration.ZERO, List.of())));
                }
            }
            result.sort(java.util.Comparator.comparing(m -> (String) m.get("name")));
            answer.put("result", result);
        } finally {
            unregister(pending);
        }
        return answer;
    }

    /** Deletes one workload: from its API source, or (not declared by any) directly; waits for it. */
    public Map<String, Object> delete(String name, Duration timeout) {
        Map<String, Waiter> pending = register(List.of(name));
        try {
            arm(pending, desired.remove(name) == null ? deletes.request(name) : desired.generation());
            queue.enqueue(name);
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
    List<Map<String, Object>> reconcile(Set<String> names, Duration timeout) {
        Map<String, Waiter> pending = register(List.copyOf(names));
        try {
            arm(pending, desired.generation());
            names.forEach(queue::enqueue);
            List<Map<String, Object>> out = new ArrayList<>(await(pending, timeout));
            out.sort(java.util.Comparator.comparing(m -> (String) m.get("name")));
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

    private static List<Map<String, Object>> await(Map<String, Waiter> pending, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, Waiter> e : pending.entrySet()) {
            try {
                out.add(e.getValue().result().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException ex) {
                out.add(Views.outcome(e.getKey(), "unknown", "in progress", e.getKey() + ": still in progress after "
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
