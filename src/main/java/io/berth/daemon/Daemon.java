package io.berth.daemon;

import io.berth.api.ManifestBodies;
import io.berth.api.Token;
import io.berth.reconcile.Admission;
import io.berth.reconcile.ApplyService;
import io.berth.reconcile.DeleteRequests;
import io.berth.reconcile.ReconcileReports;
import io.berth.reconcile.ReconcileRuns;
import io.berth.reconcile.Reconciler;
import io.berth.reconcile.Restarts;
import io.berth.reconcile.StatusBook;
import io.berth.source.DesiredState;
import io.berth.source.GitSync;
import io.berth.source.GitWebhook;

import io.berth.manifest.HostIdentity;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.Kind;
import io.berth.manifest.Quantities;
import io.berth.source.ManifestDirectory;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.EventSource;
import io.berth.runtime.Observed;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeSet;
import io.berth.util.Hosts;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code agent serve}: owns the desired state (the watched manifest directory) and keeps the host
 * matching it. Level-triggered: file changes, runtime events and a periodic full resync only
 * enqueue names; a work queue runs one reconcile per name at a time, in parallel across names.
 * State lives on the runtime objects, so a restart is a relist.
 */
@Singleton
public class Daemon {

    private static final Logger LOG = Logger.getLogger(Daemon.class);

    private final BerthConfig config;
    private final StatusBook book = new StatusBook();
    private RuntimeSet runtimes;
    private final List<AutoCloseable> watches = new ArrayList<>();
    private String agent;
    private String source;
    private Token token;
    private ManifestDirectory directory;
    private DesiredState desired;
    private HostIdentity host;
    private Admission admission;
    private Reconciler reconciler;
    private ApplyService applyService;
    private ManifestBodies bodies;
    private WorkQueue<String> queue;
    private ScheduledExecutorService timer;
    private volatile Instant lastRelist;
    private GitSync git;
    private GitWebhook webhook;
    private ReconcileRuns runs;

    public Daemon(BerthConfig config) {
        this.config = config;
    }

    /** A setting the daemon cannot start with; the message names the key and what is wrong. */
    static final class BadConfig extends RuntimeException {
        BadConfig(String message) {
            super(message);
        }
    }

    void start(@Observes StartupEvent ev) throws IOException {
        try {
            begin();
        } catch (BadConfig e) {
            // An operator's mistake: one line naming the key, exit 1, no stack trace.
            LOG.errorf("agent serve cannot start: %s", e.getMessage());
            io.quarkus.runtime.Quarkus.asyncExit(1);
        }
    }

    private void begin() throws IOException {
        boolean gitConfigured = config.git().url().filter(u -> !u.isBlank()).isPresent();
        webhook = gitConfigured ? config.git().webhookSecretFile().map(this::webhook).orElse(null) : null;
        agent = config.agentName().filter(s -> !s.isBlank()).orElseGet(Hosts::name);
        token = Token.loadOrCreate(config.stateDir());
        source = config.manifests().toAbsolutePath().normalize().toString();
        HostPolicy policy = HostPolicy.of(config.imageDirs().orElse(null), config.allowPrivileged());
        bodies = new ManifestBodies(policy);
        runtimes = RuntimeSet.forAgent(agent, config.stateDir());
        host = new HostIdentity(config.hostName().filter(h -> !h.isBlank()).orElse(agent),
                HostIdentity.parseLabels(config.hostLabels().orElse("")));
        desired = new DesiredState(source, () -> directory.current().workloads(), config.stateDir(),
                w -> host.accepts(w.placement()));
        desired.load();
        admission = new Admission(allocatable());
        BerthConfig.RestartConfig rc = config.restart();
        Restarts restarts = new Restarts(rc.initialBackoff(), rc.maxBackoff(), rc.resetAfter());
        ReconcileReports reports = new ReconcileReports();
        DeleteRequests deletes = new DeleteRequests(desired);
        reconciler = new Reconciler(runtimes, desired, admission, restarts, agent, config.detectOnly(),
                config.gracePeriod(), book, reports, deletes, names -> names.forEach(queue::enqueue));
        queue = new WorkQueue<>("reconcile", config.workers(), reconciler::reconcile, WorkQueue.Backoff.DEFAULT,
                (name, outcome) -> { });
        applyService = new ApplyService(desired, runtimes, queue, deletes, host);
        reports.subscribe(applyService::reconciled);
        directory = new ManifestDirectory(config.manifests(), config.resyncInterval(), new ManifestDirectory.Listener() {
            @Override
            public void changed(ManifestDirectory.Snapshot snapshot, Set<String> names) {
                names.forEach(queue::enqueue);
            }

            @Override
            public void invalid(List<io.berth.manifest.ManifestError> errors, ManifestDirectory.Snapshot lastGood) {
                errors.forEach(e -> book.event(null, "InvalidManifest", e.toString()));
                LOG.warnf("manifests in %s are invalid; the last good set stays in force:%n%s", source,
                        String.join("\n", errors.stream().map(Object::toString).toList()));
            }
        }, policy);
        if (gitConfigured) {
            git = new GitSync(config.git(), config.stateDir(), desired, names -> names.forEach(queue::enqueue), book, policy);
        }
        runs = new ReconcileRuns(() -> git, this::names, applyService, config.applyTimeout());
        countRunning();
        directory.start();
        if (git != null) {
            git.start();
            LOG.infof("git source %s branch %s path %s: fetched every %s%s", git.source(), config.git().branch(),
                    config.git().path(), config.git().interval(), webhook == null ? "" : " and on POST /api/v1/hooks/git");
        }
        for (Runtime r : runtimes.all()) {
            if (r instanceof EventSource events) {
                watches.add(events.watch(queue::enqueue, this::resync));
            }
        }
        timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "resync");
            t.setDaemon(true);
            return t;
        });
        long every = config.resyncInterval().toMillis();
        timer.scheduleWithFixedDelay(this::resync, 0, every, TimeUnit.MILLISECONDS);
        Admission.Allocatable a = admission.allocatable();
        LOG.infof("berth agent %s (host %s%s): watching %s, %d runtime(s), resync every %s%s; allocatable %s cpu, %s memory",
                agent, host.hostName(), host.labels().isEmpty() ? "" : " " + host.labels(), source, runtimes.size(),
                config.resyncInterval(), config.detectOnly() ? ", detect-only" : "",
                Quantities.formatCpu(a.cpuMillis()), Quantities.formatMemory(a.memoryBytes()));
    }

    /** The webhook with its secret read from the file now; a missing or empty file stops the start, naming the key. */
    private GitWebhook webhook(java.nio.file.Path file) {
        byte[] secret;
        try {
            secret = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8)
                    .strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadConfig("berth.git.webhook-secret-file: " + file + ": no such file");
        } catch (IOException e) {
            throw new BadConfig("berth.git.webhook-secret-file: cannot read " + file + ": " + e.getMessage());
        }
        if (secret.length == 0) {
            throw new BadConfig("berth.git.webhook-secret-file: " + file + " is empty");
        }
        return new GitWebhook(secret, config.git().webhookMaxAge(), java.time.Clock.systemUTC(), config.git().branch());
    }

    private Admission.Allocatable allocatable() {
        BerthConfig.AdmissionConfig c = config.admission();
        return new Admission.Allocatable(Hosts.cpuMillis(), Hosts.memoryBytes(),
                reservation("berth.admission.reserved-cpu", c.reservedCpu(), Quantities::parseCpu),
                reservation("berth.admission.reserved-memory", c.reservedMemory(), Quantities::parseMemory),
                c.cpuOvercommit(), c.memoryOvercommit());
    }

    /** A reservation quantity; "0" means none (quantities of workloads must be positive, reservations need not). */
    private static long reservation(String key, String value, java.util.function.ToLongFunction<String> parse) {
        if (value.strip().equals("0")) {
            return 0;
        }
        try {
            return parse.applyAsLong(value.strip());
        } catch (IllegalArgumentException e) {
            throw new BadConfig(key + ": " + e.getMessage());
        }
    }

    /**
     * Before any reconcile: what already runs holds its capacity, so a new workload admitted in the
     * first moments cannot take room from one that was running before Berth (re)started.
     */
    private void countRunning() {
        RuntimeSet.Listing listing = runtimes.list();
        for (Observed o : listing.observed()) {
            if (o.state() == io.berth.runtime.WorkloadState.Running && o.applied() != null) {
                admission.count(o.name(), Admission.Need.of(o.applied()));
            }
        }
        listing.failed().forEach((kind, e) -> LOG.warnf("the %s runtime did not answer at start: %s", kind, e.getMessage()));
    }

    /** Enqueues every desired and every managed name; its success time feeds readiness. */
    void resync() {
        enqueueAll();
    }

    /**
     * Enqueues every desired and every managed name (the resync, and POST /api/v1/reconcile);
     * returns how many. A runtime that does not answer is logged and its names wait for the next
     * resync; only a complete relist counts for readiness.
     */
    int enqueueAll() {
        Set<String> names = names();
        names.forEach(queue::enqueue);
        return names.size();
    }

    /** Every desired and every managed name; a complete relist of the runtimes feeds readiness. */
    Set<String> names() {
        Set<String> names = new HashSet<>(desired.all().keySet());
        RuntimeSet.Listing listing = runtimes.list();
        listing.observed().forEach(o -> names.add(o.name()));
        listing.failed().forEach((kind, e) -> LOG.warnf("resync: the %s runtime did not answer: %s", kind, e.getMessage()));
        if (listing.complete()) {
            lastRelist = Instant.now();
        }
        return names;
    }

    void stop(@Observes ShutdownEvent ev) {
        // Workloads keep running: stopping Berth stops only Berth (like dockerd's live-restore).
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
        if (directory != null) {
            directory.close();
        }
        if (git != null) {
            git.close();
        }
        if (queue != null) {
            queue.close();
        }
        if (runtimes != null) {
            runtimes.close();
        }
    }

    public DesiredState desiredState() {
        return desired;
    }

    public ApplyService applyService() {
        return applyService;
    }

    public ManifestBodies bodies() {
        return bodies;
    }

    /** How long API apply and delete wait for the reconciles they cause ({@code berth.apply-timeout}). */
    public java.time.Duration applyTimeout() {
        return config.applyTimeout();
    }

    public RuntimeSet runtimes() {
        return runtimes;
    }

    /** The git source, or null when none is configured. */
    public GitSync git() {
        return git;
    }

    /** The git webhook, or null when no secret is configured. */
    public GitWebhook webhook() {
        return webhook;
    }

    public ReconcileRuns runs() {
        return runs;
    }

    public StatusBook book() {
        return book;
    }

    public Token token() {
        return token;
    }

    Instant lastRelist() {
        return lastRelist;
    }

    public String agent() {
        return agent;
    }
}
