package io.berth.cli;

import io.berth.runtime.DeletedDisks;

import io.berth.api.dto.ApplyAnswer;
import io.berth.api.dto.EventView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.PlanView;
import io.berth.api.dto.RunView;
import io.berth.api.dto.SnapshotAnswer;
import io.berth.api.dto.SnapshotView;
import io.berth.api.dto.WorkloadView;
import io.berth.manifest.Workload;
import io.berth.stats.StatsSnapshot;
import io.berth.stats.WorkloadSample;

import java.io.OutputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the client commands do, once for both ways of doing it: {@link RemoteOperations} asks the
 * daemon over HTTP, {@link LocalOperations} ({@code --local}) talks to Docker and libvirt directly.
 * Both answer with the same {@link io.berth.api.dto} records, so a command picks one implementation,
 * calls it and prints what it gets, and both modes print the same. Errors are the CLI's: a
 * {@link UserError} (exit 1), a {@link io.berth.runtime.RuntimeUnavailableException} (exit 3).
 * Operations only the daemon can answer (its status, events, samples, reconcile runs) are a
 * {@link UserError} in local mode that says what to do instead. One per command; close it after use.
 */
interface Operations extends AutoCloseable {

    /** Whether a daemon answers (its phases and git source exist), i.e. not {@code --local}. */
    boolean daemon();

    /** What applying the manifests would change on this host, with the workloads placed elsewhere. */
    PlanView plan(ManifestInput input, List<Workload> desired, boolean prune);

    /**
     * Applies the manifests (or, with {@code dryRun}, only plans). The answer's plan carries
     * {@code elsewhere} and its own {@code elsewhere} is null. {@code progress} gets each outcome
     * worth a line as it is known (never for a dry run).
     */
    ApplyAnswer apply(ManifestInput input, List<Workload> desired, boolean prune, boolean dryRun, int parallelism,
                      int gracePeriod, Consumer<OutcomeView> progress);

    /** Every workload (name null) or one, as the runtimes report it, through a daemon with its view of each. */
    List<WorkloadView> get(String name);

    /** The daemon's git source, if it has one (never in local mode). */
    Optional<GitView> git();

    /** Called as a delete goes: a name that is not there, and each outcome as it is known. */
    interface DeleteProgress {
        void notPresent(String name);

        void done(OutcomeView outcome);
    }

    /**
     * Deletes these workloads and waits for each. With {@code byName}, a name not managed here is an
     * error before anything is deleted; otherwise (names from manifests) it is reported as not present.
     */
    List<OutcomeView> delete(Collection<String> names, boolean byName, int gracePeriod, DeleteProgress progress);

    /**
     * Removes the networks of {@code delete -f}, after their workloads; one still in use (a container
     * Berth does not manage, or a workload of other manifests) is refused, naming the containers.
     * Only local mode makes networks.
     */
    default List<OutcomeView> deleteNetworks(Collection<String> names, DeleteProgress progress) {
        throw new UserError("kind: Network is deleted with --local for now (the daemon does not make networks yet)");
    }

    /** Copies a workload's output (container logs, VM console) to {@code out}; with {@code follow}, until it ends. */
    void logs(String name, int tail, boolean follow, OutputStream out);

    /** One workload with its spec and recent events (daemon only). */
    WorkloadView describe(String name);

    /** One workload's utilization now, or null when it has not been sampled (daemon only). */
    WorkloadSample usage(String name);

    /** The daemon's recent events (daemon only). */
    List<EventView> events();

    /** The recent events, then each new one as it happens, until the stream ends (daemon only). */
    void watchEvents(Consumer<EventView> each);

    /** Utilization of every workload and of the host (daemon only). */
    StatsSnapshot stats();

    /** Starts a reconcile run (daemon only). */
    RunView reconcile();

    /** A reconcile run as it is now (daemon only). */
    RunView run(String id);

    /** Puts a deleted VM's kept disk back in place (the newest set, or {@code stamp}). */
    DeletedDisks.Restored restoreDeleted(String name, String stamp);

    /**
     * Writes a backup archive of {@code name} into {@code dir} (a directory on the host that does
     * the work: this one, or the daemon's); {@code progress} gets how far it is (local mode only).
     */
    io.berth.api.dto.BackupAnswer backup(String name, java.nio.file.Path dir,
                                         Consumer<io.berth.backup.BackupProgress> progress);

    /** Verifies the archive {@code file}, then puts its data in place as {@code as} (null: its own name). */
    io.berth.api.dto.RestoreAnswer restoreFrom(java.nio.file.Path file, String as,
                                               Consumer<io.berth.backup.BackupProgress> progress);

    /** Freezes a VM's disk now as {@code snapshot} (null: its UTC time). */
    SnapshotAnswer createSnapshot(String name, String snapshot);

    /** The snapshots of {@code name}, or of every workload when null. */
    List<SnapshotView> snapshots(String name);

    /** Puts a VM's disk back to {@code snapshot} (keeping the one it had), and runs it again. */
    SnapshotAnswer restoreSnapshot(String name, String snapshot, int gracePeriod);

    /** Forgets {@code snapshot} (its data stays while another layer needs it). */
    SnapshotAnswer deleteSnapshot(String name, String snapshot);

    @Override
    void close();
}
