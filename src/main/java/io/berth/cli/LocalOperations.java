package io.berth.cli;

import io.berth.runtime.DeletedDisks;

import io.berth.reconcile.Answers;
import io.berth.api.Views;
import io.berth.api.dto.ApplyAnswer;
import io.berth.api.dto.EventView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.PlanView;
import io.berth.api.dto.RunView;
import io.berth.api.dto.SnapshotAnswer;
import io.berth.api.dto.SnapshotView;
import io.berth.reconcile.SnapshotOps;
import io.berth.api.dto.WorkloadView;
import io.berth.manifest.HostIdentity;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.plan.PlanOptions;
import io.berth.plan.NetworkAction;
import io.berth.plan.NetworkPlanner;
import io.berth.plan.Planner;
import io.berth.reconcile.NetworkSteps;
import io.berth.runtime.Networks;
import io.berth.runtime.ObservedNetwork;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.reconcile.ApplyResult;
import io.berth.reconcile.Executor;
import io.berth.runtime.LogSource;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.stats.StatsSnapshot;
import io.berth.stats.WorkloadSample;

import java.io.OutputStream;
import io.berth.images.ImageDownloads;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code --local}: the runtimes directly, through a {@link Session} opened on first use (so a command
 * that fails before, or one only the daemon can answer, never connects to Docker or libvirt). This
 * host's placement identity is BERTH_HOST_NAME / BERTH_HOST_LABELS. Not thread-safe; one per command.
 */
final class LocalOperations implements Operations {

    private final PrintWriter warn;
    private Session session;

    /** @param warn where a runtime that is not needed but unreachable is reported */
    LocalOperations(PrintWriter warn) {
        this.warn = warn;
    }

    private Session session() {
        if (session == null) {
            session = Session.local();
        }
        return session;
    }

    @Override
    public boolean daemon() {
        return false;
    }

    @Override
    public PlanView plan(ManifestInput input, List<Workload> desired, boolean prune) {
        HostIdentity.Placed placed = ManifestInput.localHost().place(desired);
        PlanOptions options = new PlanOptions(prune, input.sources(), session().runtimes().redaction());
        Plan plan = Planner.plan(placed.here(), session().observe(Session.kinds(placed.here()), warn), options);
        return NetworkSteps.withNetworks(Answers.plan(plan).withElsewhere(placed.elsewhere()),
                networkPlan(input, placed.here(), options));
    }

    @Override
    public ApplyAnswer apply(ManifestInput input, List<Workload> desired, boolean prune, boolean dryRun, int parallelism,
                             int gracePeriod, Consumer<OutcomeView> progress) {
        HostIdentity.Placed placed = ManifestInput.localHost().place(desired);
        Session s = session();
        List<Observed> observed = s.observe(Session.kinds(placed.here()), warn);
        Trace.mark("observed");
        PlanOptions options = new PlanOptions(prune, input.sources(), s.runtimes().redaction());
        Plan plan = Planner.plan(placed.here(), observed, options);
        List<NetworkAction> networkPlan = networkPlan(input, placed.here(), options);
        Trace.mark("planned");
        PlanView view = NetworkSteps.withNetworks(Answers.plan(plan).withElsewhere(placed.elsewhere()), networkPlan);
        if (dryRun) {
            return new ApplyAnswer(view, null, List.of());
        }
        List<OutcomeView> outcomes = new ArrayList<>();
        NetworkSteps networks = networkPlan.isEmpty() ? null
                : new NetworkSteps(s.runtimes().networks().orElseThrow(), n -> new Ownership(s.agent(), input.sourceOfNetwork(n)));
        if (networks != null) {
            outcomes.addAll(networks.before(networkPlan, progress));
        }
        Executor executor = new Executor(s.runtimes(), w -> new Ownership(s.agent(), input.sourceOf(w)), parallelism,
                Duration.ofSeconds(gracePeriod));
        ApplyResult result;
        try (ImageDownloads.Watch downloads = s.runtimes().watchImages(new DownloadProgress(warn, DownloadProgress.stderrIsTerminal()))) {
            result = executor.execute(plan, o -> {
                if (o.action().hasEffect() || !o.ok()) { // a refusal is a failure worth its line
                    progress.accept(Answers.outcome(o));
                }
            });
        }
        outcomes.addAll(result.outcomes().stream().map(Answers::outcome).toList());
        if (networks != null) {
            outcomes.addAll(networks.after(networkPlan, progress));
        }
        Trace.mark("applied");
        return new ApplyAnswer(view, null, outcomes);
    }

    /**
     * The networks' plan: empty when none is declared and nothing is pruned. Pruning with none
     * declared on a host whose Docker does not answer prunes no network, and says so.
     */
    private List<NetworkAction> networkPlan(ManifestInput input, List<Workload> here, PlanOptions options) {
        if (input.networks().isEmpty() && !options.prune()) {
            return List.of();
        }
        Optional<Networks> networks = session().runtimes().networks();
        if (networks.isEmpty()) {
            if (!input.networks().isEmpty()) {
                throw new UserError("kind: Network needs the Docker Engine, and this host has no container runtime");
            }
            return List.of();
        }
        List<ObservedNetwork> observed;
        try {
            observed = networks.get().list();
        } catch (RuntimeUnavailableException e) {
            if (!input.networks().isEmpty()) {
                throw e;
            }
            warn.println("warning: networks are not pruned: " + e.getMessage());
            warn.flush();
            return List.of();
        }
        return NetworkPlanner.plan(input.networks(), observed, here, options);
    }

    @Override
    public List<WorkloadView> get(String name) {
        Session s = session();
        List<Observed> found = new ArrayList<>(s.observe(s.runtimes().kinds(), warn));
        found.sort(Comparator.comparing(Observed::name));
        if (name != null) {
            found.removeIf(o -> !o.name().equals(name));
            if (found.isEmpty()) {
                throw new UserError("no workload named \"" + name + "\" is managed by agent " + s.agent());
            }
        }
        return found.stream().map(Views::observed).toList();
    }

    @Override
    public Optional<GitView> git() {
        return Optional.empty();
    }

    @Override
    public List<OutcomeView> delete(Collection<String> names, boolean byName, int gracePeriod, DeleteProgress progress) {
        Session s = session();
        Map<String, Observed> managed = s.observe(Set.of(), warn).stream()
                .collect(Collectors.toMap(Observed::name, Function.identity()));
        List<String> unknown = names.stream().filter(n -> !managed.containsKey(n)).toList();
        if (!unknown.isEmpty() && byName) {
            throw new UserError("not managed by agent " + s.agent() + ": " + String.join(", ", unknown)
                    + "; nothing was deleted (see `agent get`)");
        }
        List<Action> deletes = new ArrayList<>();
        for (String n : names) {
            if (managed.containsKey(n)) {
                deletes.add(new Action.Delete(managed.get(n), "requested"));
            } else {
                progress.notPresent(n);
            }
        }
        Executor executor = new Executor(s.runtimes(), w -> {
            throw new IllegalStateException("delete never creates");
        }, 16, Duration.ofSeconds(gracePeriod));
        ApplyResult result = executor.execute(new Plan(deletes), o -> progress.done(Answers.outcome(o)));
        return result.outcomes().stream().map(Answers::outcome).toList();
    }

    @Override
    public List<OutcomeView> deleteNetworks(Collection<String> names, DeleteProgress progress) {
        Networks networks = session().runtimes().networks().orElseThrow(() ->
                new UserError("kind: Network needs the Docker Engine, and this host has no container runtime"));
        Map<String, ObservedNetwork> present = networks.list().stream()
                .collect(Collectors.toMap(ObservedNetwork::name, Function.identity(), (a, b) -> a));
        List<NetworkAction> deletes = new ArrayList<>();
        for (String n : names) {
            if (present.containsKey(n)) {
                deletes.add(new NetworkAction.Delete(present.get(n), "requested"));
            } else {
                progress.notPresent(n);
            }
        }
        return new NetworkSteps(networks, n -> {
            throw new IllegalStateException("delete never creates");
        }).after(deletes, progress::done);
    }

    @Override
    public void logs(String name, int tail, boolean follow, OutputStream out) {
        Session s = session();
        if (s.runtimes().owner(name).orElse(null) instanceof LogSource logs) {
            logs.logs(name, tail, follow, out);
            return;
        }
        throw new UserError("no workload named \"" + name + "\" is managed by agent " + s.agent() + " (see `agent get`)");
    }

    @Override
    public WorkloadView describe(String name) {
        throw new UserError("describe shows the daemon's status and events; without a daemon use `agent get "
                + name + " --local -o yaml`");
    }

    @Override
    public WorkloadSample usage(String name) {
        return null;
    }

    @Override
    public List<EventView> events() {
        throw noEvents();
    }

    @Override
    public void watchEvents(Consumer<EventView> each) {
        throw noEvents();
    }

    private static UserError noEvents() {
        return new UserError("events are kept by the daemon (agent serve); there is no --local mode");
    }

    @Override
    public StatsSnapshot stats() {
        throw new UserError("top reads the daemon's sampler (agent serve); there is no --local mode");
    }

    @Override
    public RunView reconcile() {
        throw noReconcile();
    }

    @Override
    public RunView run(String id) {
        throw noReconcile();
    }

    @Override
    public DeletedDisks.Restored restoreDeleted(String name, String stamp) {
        Duration retention;
        try {
            retention = DeletedDisks.retentionFromEnvironment();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return DeletedDisks.restore(session().runtimes(), name, stamp, retention);
    }

    @Override
    public io.berth.api.dto.BackupAnswer backup(String name, java.nio.file.Path dir,
                                                Consumer<io.berth.backup.BackupProgress> progress) {
        return io.berth.backup.BackupOps.backup(session().runtimes(), session().agent(), name, dir, progress);
    }

    @Override
    public io.berth.api.dto.RestoreAnswer restoreFrom(java.nio.file.Path file, String as,
                                                      Consumer<io.berth.backup.BackupProgress> progress) {
        return io.berth.backup.BackupOps.restore(session().runtimes(), file, as, progress);
    }

    @Override
    public SnapshotAnswer createSnapshot(String name, String snapshot) {
        return SnapshotOps.create(session().runtimes(), name, snapshot);
    }

    @Override
    public List<SnapshotView> snapshots(String name) {
        return SnapshotOps.list(session().runtimes(), name);
    }

    @Override
    public SnapshotAnswer restoreSnapshot(String name, String snapshot, int gracePeriod) {
        return SnapshotOps.restore(session().runtimes(), name, snapshot, Duration.ofSeconds(gracePeriod));
    }

    @Override
    public SnapshotAnswer deleteSnapshot(String name, String snapshot) {
        return SnapshotOps.delete(session().runtimes(), name, snapshot);
    }

    private static UserError noReconcile() {
        return new UserError("reconcile asks the daemon (agent serve); without one, run `agent apply --local`");
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }
}
