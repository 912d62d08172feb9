package io.berth.reconcile;

import io.berth.api.dto.FailedView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.RunView;
import io.berth.source.GitSync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reconciles the pipeline can wait for ({@code POST /api/v1/reconcile}, the git webhook): each run
 * fetches the git source first (when there is one), then reconciles every desired and managed
 * workload and waits for each outcome. It succeeds when the host converged — the fetched head is
 * the revision in force and every workload reconciled without error — and fails otherwise, naming
 * the failing workloads and the git error. The last {@value #KEEP} runs are kept for polling.
 */
public final class ReconcileRuns {

    public static final int KEEP = 100;

    public enum State { Running, Succeeded, Failed }

    /** One run; its fields change once, from Running to its result. */
    public static final class Run {
        public final String id = UUID.randomUUID().toString();
        final String trigger;
        final Instant startedAt = Instant.now();
        private volatile State state = State.Running;
        private volatile Instant finishedAt;
        private volatile GitView git;
        private volatile String error;
        private volatile List<OutcomeView> workloads = List.of();

        public Run(String trigger) {
            this.trigger = trigger;
        }

        public State state() {
            return state;
        }

        /** The API's view of the run. */
        public RunView view() {
            List<OutcomeView> all = workloads;
            return new RunView(id, trigger, state.name(), startedAt, finishedAt, git, error, all,
                    all.stream().filter(w -> !w.ok()).map(w -> new FailedView(w.name(), String.valueOf(w.error()))).toList());
        }
    }

    private final Supplier<GitSync> git;
    private final Supplier<Set<String>> names;
    private final ApplyService apply;
    private final Duration timeout;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    /**
     * @param git     the git source, or a supplier of null when there is none
     * @param names   every desired and managed name (read after the fetch)
     * @param timeout how long a run waits for the workloads' reconciles
     */
    public ReconcileRuns(Supplier<GitSync> git, Supplier<Set<String>> names, ApplyService apply, Duration timeout) {
        this.git = git;
        this.names = names;
        this.apply = apply;
        this.timeout = timeout;
    }

    /** Starts a run in the background and returns it at once. */
    public Run start(String trigger) {
        Run run = new Run(trigger);
        synchronized (runs) {
            runs.put(run.id, run);
            while (runs.size() > KEEP) {
                runs.remove(runs.keySet().iterator().next());
            }
        }
        Thread.ofVirtual().name("reconcile-" + run.id).start(() -> execute(run));
        return run;
    }

    public Run get(String id) {
        synchronized (runs) {
            return runs.get(id);
        }
    }

    private void execute(Run run) {
        List<String> errors = new ArrayList<>();
        try {
            GitSync g = git.get();
            if (g != null) {
                GitSync.Result r = g.syncNow().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                run.git = GitView.of(g.status()).withError(r.error());
                if (!r.ok()) {
                    errors.add(r.error());
                }
            }
            run.workloads = apply.reconcile(names.get(), timeout);
        } catch (TimeoutException e) {
            errors.add("the git fetch did not finish in " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            errors.add("the git fetch failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.add("interrupted");
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        run.error = errors.isEmpty() ? null : String.join("; ", errors);
        boolean ok = errors.isEmpty() && run.workloads.stream().allMatch(OutcomeView::ok);
        run.finishedAt = Instant.now();
        run.state = ok ? State.Succeeded : State.Failed;
    }
}
