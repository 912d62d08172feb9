package io.berth.daemon;

import io.berth.api.ManifestBodies;
import io.berth.api.Token;
import io.berth.manifest.HostIdentity;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.Quantities;
import io.berth.reconcile.Admission;
import io.berth.reconcile.ApplyService;
import io.berth.reconcile.DeleteRequests;
import io.berth.reconcile.ReconcileReports;
import io.berth.reconcile.ReconcileRuns;
import io.berth.reconcile.HeldNames;
import io.berth.reconcile.SnapshotSchedules;
import io.berth.reconcile.Reconciler;
import io.berth.reconcile.Restarts;
import io.berth.reconcile.RetryBackoff;
import io.berth.reconcile.StatusBook;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.Agent;
import io.berth.runtime.RuntimeSet;
import io.berth.source.DesiredState;
import io.berth.source.DirectoryEvents;
import io.berth.source.GitConfig;
import io.berth.source.GitSource;
import io.berth.source.GitSync;
import io.berth.source.GitWebhook;
import io.berth.source.ManifestDirectory;
import io.berth.util.Hosts;
import io.berth.util.StateDirs;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.ToLongFunction;

/**
 * The composition root of {@code agent serve}: every collaborator of the daemon is made here, once,
 * from the configuration, and handed out by CDI — no class reaches another through a service
 * locator. The two cycles of the pipeline (the queue runs the reconciler, which wakes names in
 * the queue; the directory's listener enqueues into the queue) are broken with a {@link Provider}
 * that is only called once the daemon runs. A setting the daemon cannot start with is a
 * {@link BadConfig} naming the key. Producers run on first use (the daemon's start), on one thread;
 * {@link Daemon#stop} closes what they made, in order.
 */
@Singleton
public class Wiring {

    /** A setting the daemon cannot start with; the message names the key and what is wrong. */
    public static final class BadConfig extends RuntimeException {
        BadConfig(String message) {
            super(message);
        }
    }

    @Produces
    @Singleton
    Agent agent(BerthConfig config) {
        return new Agent(config.agentName().filter(s -> !s.isBlank()).orElseGet(Hosts::name));
    }

    @Produces
    @Singleton
    HostIdentity host(BerthConfig config, Agent agent) {
        return new HostIdentity(config.hostName().filter(h -> !h.isBlank()).orElse(agent.name()),
                HostIdentity.parseLabels(config.hostLabels().orElse("")));
    }

    @Produces
    @Singleton
    HostPolicy policy(BerthConfig config) {
        return HostPolicy.of(config.imageDirs().orElse(null), config.allowPrivileged());
    }

    @Produces
    @Singleton
    Token token(BerthConfig config) {
        try {
            // The daemon's first write: the state directory is made 0711 (or tightened) before anything goes in it.
            StateDirs.secure(config.stateDir());
            return Token.loadOrCreate(config.stateDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the API token in " + config.stateDir(), e);
        }
    }

    @Produces
    @Singleton
    RuntimeSet runtimes(BerthConfig config, Agent agent, HostPolicy policy, StatusBook book) {
        RuntimeSet runtimes = RuntimeSet.forAgent(agent.name(), config.stateDir(), policy);
        runtimes.watchImages(new DownloadEvents(book)); // for the daemon's whole life
        return runtimes;
    }

    @Produces
    @Singleton
    StatusBook book() {
        return new StatusBook();
    }

    @Produces
    @Singleton
    ManifestBodies bodies(HostPolicy policy) {
        return new ManifestBodies(policy);
    }

    /** The watched directory; its changes only enqueue names, an invalid or vanished set is reported and not applied. */
    @Produces
    @Singleton
    ManifestDirectory directory(BerthConfig config, HostPolicy policy, StatusBook book,
                                Provider<WorkQueue<String>> queue) {
        return new ManifestDirectory(config.manifests(), config.resyncInterval(),
                new DirectoryEvents(DesiredState.sourceOf(config.manifests()), book, name -> queue.get().enqueueChanged(name)),
                policy, config.stateDir());
    }

    /** The desired state of every source, loaded from the state directory (API and git sources persist). */
    @Produces
    @Singleton
    DesiredState desired(BerthConfig config, ManifestDirectory directory, HostIdentity host, HostPolicy policy,
                         StatusBook book) {
        DesiredState desired = new DesiredState(DesiredState.sourceOf(config.manifests()),
                () -> directory.current().workloads(), directory::inForce, config.stateDir(),
                w -> host.accepts(w.placement()));
        desired.load(policy, book); // recorded sources are checked against the policy of this start
        return desired;
    }

    @Produces
    @Singleton
    Admission admission(BerthConfig config) {
        BerthConfig.AdmissionConfig c = config.admission();
        return new Admission(new Admission.Allocatable(Hosts.cpuMillis(), Hosts.memoryBytes(),
                reservation("berth.admission.reserved-cpu", c.reservedCpu(), Quantities::parseCpu),
                reservation("berth.admission.reserved-memory", c.reservedMemory(), Quantities::parseMemory),
                c.cpuOvercommit(), c.memoryOvercommit()));
    }

    /** A reservation quantity; "0" means none (quantities of workloads must be positive, reservations need not). */
    private static long reservation(String key, String value, ToLongFunction<String> parse) {
        if (value.strip().equals("0")) {
            return 0;
        }
        try {
            return parse.applyAsLong(value.strip());
        } catch (IllegalArgumentException e) {
            throw new BadConfig(key + ": " + e.getMessage());
        }
    }

    @Produces
    @Singleton
    Restarts restarts(BerthConfig config) {
        BerthConfig.RestartConfig rc = config.restart();
        return new Restarts(rc.initialBackoff(), rc.maxBackoff(), rc.resetAfter());
    }

    @Produces
    @Singleton
    ReconcileReports reports() {
        return new ReconcileReports();
    }

    @Produces
    @Singleton
    DeleteRequests deletes(DesiredState desired) {
        return new DeleteRequests(desired);
    }

    @Produces
    @Singleton
    Reconciler reconciler(BerthConfig config, RuntimeSet runtimes, DesiredState desired, Admission admission,
                          Restarts restarts, Agent agent, StatusBook book, ReconcileReports reports,
                          DeleteRequests deletes, Provider<WorkQueue<String>> queue) {
        return new Reconciler(runtimes, desired, admission, restarts, agent.name(), config.detectOnly(),
                config.gracePeriod(), book, reports, deletes, names -> names.forEach(queue.get()::enqueue));
    }

    /** Names a snapshot operation holds: their reconciles wait for it. */
    @Produces
    @Singleton
    HeldNames held() {
        return new HeldNames();
    }

    /** spec.snapshots of the desired VMs, run on the daemon's timer ({@link Daemon}). */
    @Produces
    @Singleton
    SnapshotSchedules schedules(DesiredState desired, RuntimeSet runtimes, HeldNames held, WorkQueue<String> queue,
                                StatusBook book) {
        return new SnapshotSchedules(desired, runtimes, held, queue, book, java.time.Clock.systemUTC());
    }

    /** One reconcile per name at a time, {@code berth.workers} names at once; held names wait. */
    @Produces
    @Singleton
    WorkQueue<String> queue(BerthConfig config, Reconciler reconciler, HeldNames held) {
        return new WorkQueue<>("reconcile", config.workers(), held.guard(reconciler::reconcile), RetryBackoff.DEFAULT,
                (name, outcome) -> { });
    }

    @Produces
    @Singleton
    ApplyService apply(DesiredState desired, RuntimeSet runtimes, WorkQueue<String> queue, DeleteRequests deletes,
                       ReconcileReports reports, HostIdentity host, BerthConfig config) {
        ApplyService apply = new ApplyService(desired, runtimes, queue, deletes, host, config.applyTimeout());
        reports.subscribe(apply::reconciled);
        return apply;
    }

    /** The git source and its webhook, or none when {@code berth.git.url} is unset. */
    @Produces
    @Singleton
    GitSource git(GitConfig git, BerthConfig config, DesiredState desired, StatusBook book, HostPolicy policy,
                  Provider<WorkQueue<String>> queue) {
        if (git.url().filter(u -> !u.isBlank()).isEmpty()) {
            return GitSource.NONE;
        }
        GitWebhook webhook = git.webhookSecretFile().map(f -> webhook(f, git)).orElse(null);
        GitSync sync = new GitSync(git, config.stateDir(), desired, names -> names.forEach(queue.get()::enqueueChanged),
                book, policy);
        return new GitSource(sync, webhook);
    }

    /** The webhook with its secret read from the file now; a missing or empty file stops the start, naming the key. */
    private static GitWebhook webhook(Path file, GitConfig git) {
        byte[] secret;
        try {
            secret = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadConfig("berth.git.webhook-secret-file: " + file + ": no such file");
        } catch (IOException e) {
            throw new BadConfig("berth.git.webhook-secret-file: cannot read " + file + ": " + e.getMessage());
        }
        if (secret.length == 0) {
            throw new BadConfig("berth.git.webhook-secret-file: " + file + " is empty");
        }
        return new GitWebhook(secret, git.webhookMaxAge(), Clock.systemUTC(), git.branch(), git.url().orElse(null));
    }

    @Produces
    @Singleton
    ReconcileRuns runs(GitSource git, Resync resync, ApplyService apply, BerthConfig config) {
        return new ReconcileRuns(git::sync, resync::names, apply, config.applyTimeout());
    }
}
