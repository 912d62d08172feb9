package io.berth.reconcile;

import io.berth.plan.Action;
import io.berth.plan.Planner;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.source.DesiredState;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reconciles one workload by name, level-triggered: whatever enqueued the name, it re-reads the
 * desired spec and what the runtimes report, lets {@link Decisions} decide (the same pure planner
 * {@code agent plan} uses, then admission — does it fit? — and the restart back-off — may it
 * restart yet?), and has {@link DecisionRunner} carry that one decision out. Returns the work
 * queue's verdict (done, retry with backoff, requeue after a delay, or terminal when retrying
 * cannot help). Reports go to {@link ReconcileReports}; API delete requests come from
 * {@link DeleteRequests}. Blocking; thread-safe: the work queue never runs one name twice at a time.
 */
public final class Reconciler {

    private final RuntimeSet runtimes;
    private final DesiredState desired;
    private final Admission admission;
    private final Restarts restarts;
    private final boolean detectOnly;
    private final StatusBook book;
    private final DeleteRequests deletes;
    private final DecisionRunner runner;
    private final PrunedAll prunes;

    public Reconciler(RuntimeSet runtimes, DesiredState desired, Admission admission, Restarts restarts, String agent,
                      boolean detectOnly, Duration grace, StatusBook book, ReconcileReports reports,
                      DeleteRequests deletes, Consumer<Set<String>> retryNow) {
        this.runtimes = runtimes;
        this.desired = desired;
        this.admission = admission;
        this.restarts = restarts;
        this.detectOnly = detectOnly;
        this.book = book;
        this.deletes = deletes;
        Executor executor = new Executor(runtimes, w -> {
            DesiredState.Entry e = desired.find(w.name());
            return new Ownership(agent, e == null ? desired.directorySource() : e.source());
        }, 1, grace);
        this.prunes = new PrunedAll(desired, book);
        this.runner = new DecisionRunner(admission, restarts, book, executor, reports, retryNow, prunes);
    }

    public WorkQueue.Result reconcile(String name) {
        long started = System.nanoTime();
        long generation = desired.generation(); // before reading the desired state: see DesiredState
        WorkQueue.Result result;
        try {
            Decisions.Facts facts = observe(name);
            result = runner.run(facts, Decisions.decide(facts, gates(name, facts.want(), facts.now())), generation);
        } catch (RuntimeUnavailableException e) {
            result = runner.unreachable(name, generation, e);
        }
        runner.measured(result, started);
        return result;
    }

    /** Reads what the rules need: the desired entry, the observed object, the bookkeeping. */
    private Decisions.Facts observe(String name) {
        DesiredState.Entry entry = desired.find(name);
        Workload want = entry == null ? null : entry.workload();
        Optional<Observed> have = runtimes.find(name, want == null ? null : want.kind());
        boolean requested = false;
        if (entry != null) {
            prunes.declared(entry.source());
        }
        if (want == null) {
            admission.forget(name); // no longer desired: not waiting for capacity either
            requested = deletes.take(name);
        }
        return new Decisions.Facts(name, want, have.orElse(null), requested,
                have.isPresent() && desired.knows(have.get().source()), detectOnly, book.get(name), Instant.now(),
                entry == null ? null : desired.refused(name), runtimes.redaction());
    }

    /**
     * The back-off and admission, consulted only when a rule reaches them. The back-off is asked
     * at the facts' {@code now}, the instant the rules compare with: an immediate restart is due
     * exactly then, not a moment later.
     */
    private Decisions.Gates gates(String name, Workload want, Instant now) {
        return new Decisions.Gates() {
            @Override
            public Instant restartAllowedAt() {
                return restarts.nextAllowed(name, now);
            }

            @Override
            public Admission.Decision admit(Admission.Need need) {
                return admission.admit(name, need);
            }

            @Override
            public String waitingFor() {
                return DependencyWait.waitingFor(want, dep -> {
                    DesiredState.Entry e = desired.find(dep);
                    return runtimes.find(dep, e == null ? null : e.workload().kind()).orElse(null);
                }, o -> {
                    DesiredState.Entry e = desired.find(o.name());
                    return e == null || !(Planner.decide(e.workload(), o, runtimes.redaction()) instanceof Action.Recreate);
                });
            }
        };
    }
}
