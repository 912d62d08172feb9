package io.berth.reconcile;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.runtime.LeftoverTask;
import io.berth.runtime.NameTaken;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.util.DaemonThreads;
import io.berth.util.Reverter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Carries out a {@link Plan}: actions run in parallel across workloads (at most {@code parallelism}
 * at once, so a 30-workload apply uses the engine's own parallelism without flooding it), each
 * workload's steps in order.
 * One workload failing never stops the others. Blocking; thread-safe per call.
 *
 * <p>Create is create-then-start with a reverter: if start fails, the just-created object is
 * removed again, so a failed apply leaves nothing half-made and the next apply starts clean.
 */
public final class Executor {

    private final RuntimeSet runtimes;
    private final Function<Workload, Ownership> ownership;
    private final int parallelism;
    private final Duration grace;

    public Executor(RuntimeSet runtimes, Function<Workload, Ownership> ownership, int parallelism,
                    Duration grace) {
        this.runtimes = runtimes;
        this.ownership = ownership;
        this.parallelism = Math.max(1, parallelism);
        this.grace = grace;
    }

    /**
     * Runs every action; {@code progress} is called once per workload as it finishes (any thread).
     * Actions are submitted in {@code dependsOn} order, and a create, recreate or start waits for
     * its dependencies (their own actions first, then their conditions, {@link #DEPENDENCY_WAIT} at
     * most): with a first-in first-out pool a waiting dependant never holds back its dependency.
     */
    public ApplyResult execute(Plan plan, Consumer<Outcome> progress) {
        List<Outcome> outcomes = new ArrayList<>();
        List<Future<Outcome>> running = new ArrayList<>();
        java.util.Map<String, Future<Outcome>> byName = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService threads = DaemonThreads.fixed("apply", parallelism);
        try {
            for (Action action : inStartOrder(plan.actions())) {
                if (!action.hasEffect()) {
                    // A refused change is reported as the failure it is: the host does not match the manifest.
                    Outcome nothing = new Outcome(action, action instanceof Action.Refused r ? r.reason() : null,
                            Duration.ZERO, List.of());
                    progress.accept(nothing);
                    outcomes.add(nothing);
                    continue;
                }
                Future<Outcome> f = threads.submit(() -> {
                    String waited = awaitDependencies(action, byName);
                    Outcome outcome = waited == null ? run(action) : new Outcome(action, waited, Duration.ZERO, List.of());
                    progress.accept(outcome);
                    return outcome;
                });
                byName.put(action.name(), f);
                running.add(f);
            }
            for (Future<Outcome> f : running) {
                outcomes.add(get(f));
            }
        } finally {
            threads.shutdownNow();
        }
        outcomes.sort(Comparator.comparing(o -> o.action().name()));
        return new ApplyResult(List.copyOf(outcomes));
    }

    /** How long a local apply waits for one dependency to reach its condition. */
    static final Duration DEPENDENCY_WAIT = Duration.ofMinutes(5);

    /** The plan's actions with every workload after the ones it depends on (else in plan order). */
    static List<Action> inStartOrder(List<Action> actions) {
        List<Workload> declared = actions.stream().map(Executor::desired).filter(java.util.Objects::nonNull).toList();
        java.util.Map<String, Integer> rank = new java.util.HashMap<>();
        for (String name : io.berth.manifest.DependencyGraph.startOrder(declared)) {
            rank.put(name, rank.size());
        }
        List<Action> sorted = new ArrayList<>(actions);
        sorted.sort(Comparator.comparingInt(a -> rank.getOrDefault(a.name(), -1)));
        return sorted;
    }

    /** Null once every dependency is there, else why this action did not run (a failed or late dependency). */
    private String awaitDependencies(Action action, java.util.Map<String, Future<Outcome>> byName) {
        if (!(action instanceof Action.Create || action instanceof Action.Recreate || action instanceof Action.Start)
                || desired(action).dependsOn().isEmpty()) {
            return null;
        }
        for (io.berth.manifest.Dependency d : desired(action).dependsOn()) {
            Future<Outcome> first = byName.get(d.name());
            if (first != null) {
                Outcome o = get(first);
                if (o.error() != null) {
                    return action.name() + ": not started: its dependency " + d.name() + " failed (" + o.error() + ")";
                }
            }
            long deadline = System.nanoTime() + DEPENDENCY_WAIT.toNanos();
            while (!DependencyWait.reached(d, observe(d.name()))) {
                if (System.nanoTime() > deadline) {
                    return action.name() + ": not started: " + d.waitingFor() + " for " + DEPENDENCY_WAIT.toMinutes()
                            + " minutes; apply again once it is";
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return action.name() + ": not started: interrupted while " + d.waitingFor();
                }
            }
        }
        return null;
    }

    private static Workload desired(Action a) {
        return switch (a) {
            case Action.Create c -> c.desired();
            case Action.UpdateInPlace u -> u.desired();
            case Action.Recreate r -> r.desired();
            case Action.Start st -> st.desired();
            case Action.Unchanged u -> u.desired();
            case Action.Refused r -> r.desired();
            case Action.Delete d -> null;
        };
    }

    private Observed observe(String name) {
        try {
            return runtimes.find(name, null).orElse(null);
        } catch (RuntimeUnavailableException | RuntimeFailure e) {
            return null;
        }
    }

    private Outcome run(Action action) {
        long start = System.nanoTime();
        String error = null;
        boolean terminal = false;
        List<String> notes = new ArrayList<>();
        try {
            switch (action) {
                case Action.Create c -> notes.addAll(createAndStart(c.desired()));
                case Action.UpdateInPlace u -> {
                    notes.addAll(runtime(u.kind()).update(u.desired()));
                    if (u.startAfter()) {
                        notes.addAll(start(u.desired()));
                    }
                }
                case Action.Recreate r -> {
                    Runtime old = runtime(r.observed().kind());
                    old.stop(r.name(), grace);
                    old.remove(r.name(), r.keepData() && r.observed().kind() == r.kind());
                    notes.addAll(createAndStart(r.desired()));
                }
                case Action.Start s -> notes.addAll(start(s.desired()));
                case Action.Delete d -> {
                    runtime(d.kind()).stop(d.name(), grace);
                    // Not kept in place: a VM's disk is moved aside for the retention, never deleted here.
                    runtime(d.kind()).remove(d.name(), false);
                }
                case Action.Unchanged u -> {
                }
                case Action.Refused r -> error = r.reason();
            }
        } catch (RuntimeFailure | RuntimeUnavailableException e) {
            error = e.getMessage().startsWith(action.name() + ":") ? e.getMessage()
                    : action.name() + ": " + e.getMessage();
            terminal = e instanceof NameTaken;
        } catch (RuntimeException e) {
            // A bug or an unexpected library failure: still report it against the workload, never abort the rest.
            error = action.name() + ": unexpected error: " + e;
        }
        return new Outcome(action, error, Duration.ofNanos(System.nanoTime() - start),
                notes.stream().distinct().toList(), terminal);
    }

    /**
     * Restarts a running workload whose health check failed: stop (killing after the grace
     * period), then start — Docker marks a container unhealthy but never restarts it (moby#28400).
     * Blocking. A refusal is the outcome's error; a runtime that cannot be reached is thrown
     * ({@link RuntimeUnavailableException}), as when observing, so the workload waits for it.
     */
    public Outcome restart(Workload want, Observed observed) {
        long start = System.nanoTime();
        Runtime r = runtimes.require(want.kind());
        String error = null;
        try {
            r.stop(want.name(), grace);
            start(want);
        } catch (RuntimeFailure e) {
            error = want.name() + ": restart after failed health checks failed: " + e.getMessage();
        }
        return new Outcome(new Action.Start(want, observed, "health check failed"), error,
                Duration.ofNanos(System.nanoTime() - start), List.of());
    }

    /**
     * Starts an existing object. A container the engine cannot start because it still holds a
     * task of it from before a restart ({@link LeftoverTask}) is replaced by a new one made from
     * the same spec (its named volumes kept, as on any recreate): otherwise it never starts again.
     */
    private List<String> start(Workload want) {
        Runtime r = runtime(want.kind());
        try {
            return r.start(want.name());
        } catch (LeftoverTask e) {
            r.remove(want.name(), true);
            List<String> notes = new ArrayList<>();
            notes.add("recreated: " + e.getMessage() + "; a new container from the same spec replaced it"
                    + " (named volumes kept)");
            notes.addAll(createAndStart(want));
            return notes;
        }
    }

    private List<String> createAndStart(Workload w) {
        Runtime runtime = runtime(w.kind());
        try (Reverter revert = new Reverter()) {
            List<String> notes = new ArrayList<>(runtime.create(w, ownership.apply(w)));
            revert.add(() -> runtime.remove(w.name(), true));
            notes.addAll(runtime.start(w.name()));
            revert.success();
            return notes;
        }
    }

    private Runtime runtime(Kind kind) {
        return runtimes.get(kind).orElseThrow(() ->
                new RuntimeFailure(kind.name(), "no runtime for kind " + kind + " is available on this host"));
    }

    private static Outcome get(Future<Outcome> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
