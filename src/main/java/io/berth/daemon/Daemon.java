package io.berth.daemon;

import io.berth.api.Token;
import io.berth.manifest.HostIdentity;
import io.berth.manifest.Quantities;
import io.berth.reconcile.Admission;
import io.berth.reconcile.SnapshotSchedules;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.Agent;
import io.berth.runtime.EventSource;
import io.berth.runtime.Observed;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.WorkloadState;
import io.berth.source.GitConfig;
import io.berth.source.GitSource;
import io.berth.source.ManifestDirectory;
import io.berth.util.DaemonThreads;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent serve}'s running parts, started and stopped in order: the watched directory, the git
 * source, the runtimes' event streams and the periodic resync feed names (the retention sweep of kept
 * disks runs on the same timer) into the work queue,
 * which runs one reconcile per name at a time, in parallel across names (level-triggered). State
 * lives on the runtime objects, so a restart is a relist. Everything is made by {@link Wiring};
 * {@link Startup} calls {@link #start} and {@link #stop}.
 */
@Singleton
public class Daemon {

    private static final Logger LOG = Logger.getLogger(Daemon.class);

    private final BerthConfig config;
    private final GitConfig gitConfig;
    private final Agent agent;
    private final HostIdentity host;
    private final RuntimeSet runtimes;
    private final Admission admission;
    private final ManifestDirectory directory;
    private final GitSource git;
    private final WorkQueue<String> queue;
    private final Resync resync;
    private final RetentionSweep sweep;
    private final SnapshotSchedules schedules;
    private final List<AutoCloseable> watches = new ArrayList<>();
    private ScheduledExecutorService timer;

    public Daemon(BerthConfig config, GitConfig gitConfig, Agent agent, HostIdentity host, Token token,
                  RuntimeSet runtimes, Admission admission, ManifestDirectory directory, GitSource git,
                  WorkQueue<String> queue, Resync resync, RetentionSweep sweep, SnapshotSchedules schedules) {
        this.sweep = sweep;
        this.schedules = schedules;
        this.config = config;
        this.gitConfig = gitConfig;
        this.agent = agent;
        this.host = host;
        this.runtimes = runtimes;
        this.admission = admission;
        this.directory = directory;
        this.git = git;
        this.queue = queue;
        this.resync = resync;
    }

    /** Counts what runs, then starts every trigger; returns once the first resync is scheduled. */
    void start() {
        countRunning();
        directory.start();
        if (git.sync() != null) {
            git.sync().start();
            LOG.infof("git source %s branch %s path %s: fetched every %s%s", git.sync().source(), gitConfig.branch(),
                    gitConfig.path(), gitConfig.interval(), git.webhook() == null ? "" : " and on POST /api/v1/hooks/git");
        }
        for (Runtime r : runtimes.all()) {
            if (r instanceof EventSource events) {
                watches.add(events.watch(queue::enqueue, resync::run));
            }
        }
        timer = DaemonThreads.scheduled("resync");
        timer.scheduleWithFixedDelay(resync::run, 0, config.resyncInterval().toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(sweep::run, 0, sweep.interval().toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::snapshotSchedules, SCHEDULE_CHECK.toMillis(), SCHEDULE_CHECK.toMillis(),
                TimeUnit.MILLISECONDS);
        Admission.Allocatable a = admission.allocatable();
        LOG.infof("berth agent %s (host %s%s): watching %s, %d runtime(s), resync every %s%s; allocatable %s cpu, %s memory",
                agent.name(), host.hostName(), host.labels().isEmpty() ? "" : " " + host.labels(),
                io.berth.source.DesiredState.sourceOf(config.manifests()), runtimes.size(), config.resyncInterval(),
                config.detectOnly() ? ", detect-only" : "",
                Quantities.formatCpu(a.cpuMillis()), Quantities.formatMemory(a.memoryBytes()));
    }

    /** Schedules are due on the minute: a look every 10 s takes a snapshot within 10 s of its time. */
    static final java.time.Duration SCHEDULE_CHECK = java.time.Duration.ofSeconds(10);

    private void snapshotSchedules() {
        try {
            schedules.run();
        } catch (RuntimeException e) { // the timer would stop for good on an exception
            LOG.warnf("snapshot schedules: %s; looking again in %s", e.getMessage(), SCHEDULE_CHECK);
        }
    }

    /**
     * Before any reconcile: what already runs holds its capacity, so a new workload admitted in the
     * first moments cannot take room from one that was running before Berth (re)started.
     */
    private void countRunning() {
        RuntimeSet.Listing listing = runtimes.list();
        for (Observed o : listing.observed()) {
            if (o.state() == WorkloadState.Running && o.applied() != null) {
                admission.count(o.name(), Admission.Need.of(o.applied()));
            }
        }
        listing.failed().forEach((kind, e) -> LOG.warnf("the %s runtime did not answer at start: %s", kind, e.getMessage()));
    }

    /** Stops Berth only: workloads keep running (like dockerd's live-restore). */
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        for (AutoCloseable w : watches) {
            try {
                w.close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        directory.close();
        if (git.sync() != null) {
            git.sync().close();
        }
        queue.close();
        runtimes.close();
    }
}
