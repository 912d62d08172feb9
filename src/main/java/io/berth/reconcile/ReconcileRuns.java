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
import java.util.concurrent.CompletableFuture;
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
 *
 * <p>Webhook deliveries do not fan out ({@link #webhook}): a signed push with a fresh delivery id
 * is cheap to replay, and each one used to start a fetch. At most one webhook run is fetching and
 * one is waiting to fetch; a delivery accepted while one waits joins it (answered "coalesced" with
 * its id) — that run's fetch starts after the delivery arrived, so it sees the push. Thread-safe.
 */
public final class ReconcileRuns {

    public static final int KEEP = 100;

    public enum State { Running, Succeeded, Failed }

    /** A webhook delivery's run: a new one, or the waiting one it joined ({@code coalesced}). */
    public record Accepted(Run run, boolean coalesced, String message) {
    }

    /** One run; its fields change once, from Running to its result. */
    public static final class Run {
        public final String id = UUID.randomUUID().toString();
        final String trigger;
        final Instant startedAt = Instant.now();
        private volatile boolean webhook;
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

    /** The git source as a run uses it: one fetch and apply, then its status. {@link GitSync} in the daemon. */
    interface GitFetch {
        CompletableFuture<GitSync.Result> syncNow();

        Map<String, Object> status();
    }

    /** The git source now, or null when there is none. */
    interface GitSource {
        GitFetch get();
    }

    private final GitSource git;
    private final Supplier<Set<String>> names;
    private final ApplyService apply;
    private final Duration timeout;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    /** Webhook runs whose fetch has not finished, oldest first: at most one fetching and one waiting. */
    private final java.util.Deque<Run> fetching = new java.util.ArrayDeque<>();

    /**
     * @param git     the git source, or a supplier of null when there is none
     * @param names   every desired and managed name (read after the fetch)
     * @param timeout how long a run waits for the workloads' reconciles
     */
    public ReconcileRuns(Supplier<GitSync> git, Supplier<Set<String>> names, ApplyService apply, Duration timeout) {
        this(() -> {
            GitSync g = git.get();
            return g == null ? null : new GitFetch() {
                @Override
                public CompletableFuture<GitSync.Result> syncNow() {
                    return g.syncNow();
                }

                @Override
                public Map<String, Object> status() {
                    return g.status();
                }
            };
        }, names, apply, timeout);
    }

    /** With a stand-in for the git source (tests). */
    ReconcileRuns(GitSource git, Supplier<Set<String>> names, ApplyService apply, Duration timeout) {
        this.git = git;
        this.names = names;
        this.apply = apply;
        this.timeout = timeout;
    }

    /** Starts a run in the background and returns it at once. */
    public Run start(String trigger) {
        return start(new Run(trigger));
    }

    /**
     * A webhook delivery accepted for a fetch: starts a run, unless one is already fetching and
     * another waiting — then the delivery joins the waiting one.
     *
     * @param accepted what the webhook check said (kept in the answer of a run that starts)
     */
    public Accepted webhook(String trigger, String accepted) {
        Run run;
        synchronized (fetching) {
            if (fetching.size() >= 2) {
                Run waiting = fetching.peekLast();
                return new Accepted(waiting, true, "coalesced: a fetch is already waiting to start (run " + waiting.id
                        + "); this delivery is served by it");
            }
            run = new Run(trigger);
            run.webhook = true;
            fetching.addLast(run);
        }
        return new Accepted(start(run), false, accepted);
    }

    private Run start(Run run) {
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

    /** The run's fetch is over (done, failed or timed out): the next delivery may start another. */
    private void fetched(Run run) {
        if (run.webhook) {
            synchronized (fetching) {
                fetching.remove(run);
            }
        }
    }

    private void execute(Run run) {
        List<String> errors = new ArrayList<>();
        try {
            GitFetch g = git.get();
            if (g != null) {
                GitSync.Result r;
                try {
                    r = g.syncNow().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } finally {
                    fetched(run);
                }
                run.git = GitView.of(g.status()).withError(r.error());
                if (!r.ok()) {
                    errors.add(r.error());
                }
            }
            fetched(run);
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
        fetched(run);
        run.error = errors.isEmpty() ? null : String.join("; ", errors);
        boolean ok = errors.isEmpty() && run.workloads.stream().allMatch(OutcomeView::ok);
        run.finishedAt = Instant.now();
        run.state = ok ? State.Succeeded : State.Failed;
    }
}
