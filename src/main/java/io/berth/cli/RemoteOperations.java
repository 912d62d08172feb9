package io.berth.cli;

import io.berth.runtime.DeletedDisks;

import com.fasterxml.jackson.core.type.TypeReference;
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
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.stats.StatsSnapshot;
import io.berth.stats.WorkloadSample;

import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The daemon ({@code agent serve}) over HTTP through a {@link Client}, made on first use (so option
 * and manifest errors come before any server or token error). The daemon answers with the same
 * records local mode builds; an apply sends the files exactly as they were validated here.
 */
final class RemoteOperations implements Operations {

    /** How long the client waits for the daemon's apply or delete (the daemon itself gives up after 10 minutes). */
    static final Duration REMOTE_TIMEOUT = Duration.ofMinutes(11);
    /** Deletes in flight at once through the daemon (its reconcile workers do the work). */
    static final int DELETE_PARALLELISM = 16;

    private static final TypeReference<PlanView> PLAN = new TypeReference<>() { };
    private static final TypeReference<ApplyAnswer> APPLY = new TypeReference<>() { };
    private static final TypeReference<WorkloadView> WORKLOAD = new TypeReference<>() { };
    private static final TypeReference<List<WorkloadView>> WORKLOADS = new TypeReference<>() { };
    private static final TypeReference<GitView> GIT = new TypeReference<>() { };
    private static final TypeReference<OutcomeView> OUTCOME = new TypeReference<>() { };
    private static final TypeReference<WorkloadSample> SAMPLE = new TypeReference<>() { };
    private static final TypeReference<List<EventView>> EVENTS = new TypeReference<>() { };
    private static final TypeReference<EventView> EVENT = new TypeReference<>() { };
    private static final TypeReference<StatsSnapshot> STATS = new TypeReference<>() { };
    private static final TypeReference<RunView> RUN = new TypeReference<>() { };
    private static final TypeReference<SnapshotAnswer> SNAPSHOT = new TypeReference<>() { };
    private static final TypeReference<List<SnapshotView>> SNAPSHOTS = new TypeReference<>() { };

    private final Supplier<Client> connect;
    private Client client;

    RemoteOperations(Supplier<Client> connect) {
        this.connect = connect;
    }

    private Client client() {
        if (client == null) {
            client = connect.get();
        }
        return client;
    }

    private static String path(String name) {
        return "api/v1/workloads/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    @Override
    public boolean daemon() {
        return true;
    }

    @Override
    public PlanView plan(ManifestInput input, List<Workload> desired, boolean prune) {
        return client().post("api/v1/plan?prune=" + prune, input.filesBody(), ManifestInput.FILES_TYPE,
                Duration.ofSeconds(120), PLAN);
    }

    @Override
    public ApplyAnswer apply(ManifestInput input, List<Workload> desired, boolean prune, boolean dryRun, int parallelism,
                             int gracePeriod, Consumer<OutcomeView> progress) {
        ApplyAnswer answer = client().post("api/v1/apply?prune=" + prune + "&dryRun=" + dryRun, input.filesBody(),
                ManifestInput.FILES_TYPE, REMOTE_TIMEOUT, APPLY);
        List<OutcomeView> result = answer.result() == null ? List.of() : answer.result();
        if (!dryRun) {
            result.stream().filter(o -> !o.ok() || !"unchanged".equals(o.done())).forEach(progress);
        }
        return new ApplyAnswer(answer.plan().withElsewhere(answer.elsewhere() == null ? List.of() : answer.elsewhere()),
                null, result);
    }

    @Override
    public List<WorkloadView> get(String name) {
        return name != null ? List.of(client().get(path(name), WORKLOAD)) : client().get("api/v1/workloads", WORKLOADS);
    }

    @Override
    public Optional<GitView> git() {
        try {
            return Optional.of(client().get("api/v1/git", GIT));
        } catch (UserError e) {
            return Optional.empty(); // 404: no git source
        }
    }

    @Override
    public List<OutcomeView> delete(Collection<String> names, boolean byName, int gracePeriod, DeleteProgress progress) {
        Set<String> known = new HashSet<>();
        client().get("api/v1/workloads", WORKLOADS).forEach(w -> known.add(w.name()));
        List<String> unknown = names.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty() && byName) {
            throw new UserError("not declared or managed on this host: " + String.join(", ", unknown)
                    + "; nothing was deleted (see `agent get`)");
        }
        Client c = client();
        List<java.util.concurrent.Future<OutcomeView>> pending = new ArrayList<>();
        // The daemon deletes each on its own reconcile worker; one request after the other made a
        // delete of 30 take as long as 30 stops in a row (bench/converge: 28 s against ~2 s).
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Math.min(DELETE_PARALLELISM, names.size())), Thread.ofVirtual().factory())) {
            for (String n : names) {
                if (!known.contains(n)) {
                    progress.notPresent(n);
                    continue;
                }
                pending.add(pool.submit(() -> {
                    OutcomeView o = c.delete(path(n), REMOTE_TIMEOUT, OUTCOME);
                    synchronized (progress) {
                        progress.done(o);
                    }
                    return o;
                }));
            }
        }
        List<OutcomeView> outcomes = new ArrayList<>();
        for (java.util.concurrent.Future<OutcomeView> f : pending) {
            try {
                outcomes.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted while deleting; see `agent get` for what is left");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return outcomes;
    }

    @Override
    public void logs(String name, int tail, boolean follow, OutputStream out) {
        client().stream(path(name) + "/logs?tail=" + tail + "&follow=" + follow, out);
    }

    @Override
    public WorkloadView describe(String name) {
        return client().get(path(name), WORKLOAD);
    }

    @Override
    public WorkloadSample usage(String name) {
        try {
            return client().get(path(name) + "/stats", SAMPLE);
        } catch (UserError | RuntimeUnavailableException e) {
            return null; // not sampled yet (or not running): describe still answers
        }
    }

    @Override
    public List<EventView> events() {
        return client().get("api/v1/events", EVENTS);
    }

    @Override
    public void watchEvents(Consumer<EventView> each) {
        client().lines("api/v1/events?watch=true", line -> {
            if (line.startsWith("data: ")) {
                EventView e;
                try {
                    e = Client.json(line.substring(6), EVENT);
                } catch (UserError notJson) {
                    throw new UserError("the daemon sent an event that is not JSON: " + line);
                }
                each.accept(e);
            }
        });
    }

    @Override
    public StatsSnapshot stats() {
        return client().get("api/v1/stats", STATS);
    }

    @Override
    public RunView reconcile() {
        return client().post("api/v1/reconcile", new byte[0], "application/json", Duration.ofSeconds(60), RUN);
    }

    @Override
    public RunView run(String id) {
        return client().get("api/v1/reconcile/" + id, RUN);
    }

    @Override
    public DeletedDisks.Restored restoreDeleted(String name, String stamp) {
        return client().post("api/v1/restore?deleted=true&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                + (stamp == null ? "" : "&kept=" + URLEncoder.encode(stamp, StandardCharsets.UTF_8)),
                new byte[0], "application/json", Duration.ofSeconds(120), new TypeReference<>() { });
    }

    /** The daemon does the work on its host; its progress events are followed meanwhile ({@link RemoteProgress}). */
    @Override
    public io.berth.api.dto.BackupAnswer backup(String name, java.nio.file.Path dir,
                                                Consumer<io.berth.backup.BackupProgress> progress) {
        byte[] body = Client.bytes(java.util.Map.of("to", dir.toString()));
        try (RemoteProgress events = RemoteProgress.follow(this, "BackupProgress", "BackupCreated", name::equals, progress)) {
            io.berth.api.dto.BackupAnswer a = client().post("api/v1/workloads/" + encode(name) + "/backup", body,
                    "application/json", Duration.ofMinutes(120), new TypeReference<>() { });
            events.awaitEnd();
            return a;
        }
    }

    @Override
    public io.berth.api.dto.RestoreAnswer restoreFrom(java.nio.file.Path file, String as,
                                                      Consumer<io.berth.backup.BackupProgress> progress) {
        java.util.Map<String, String> request = new java.util.LinkedHashMap<>();
        request.put("from", file.toString());
        if (as != null) {
            request.put("as", as);
        }
        // Before its verify the daemon names the restore after --as, else after the file; then after the archive's name.
        String file0 = file.getFileName().toString();
        String named = as != null ? as : file0.replaceFirst("-[0-9]{8}T[0-9]{6}Z\\.berth\\.tar$", "");
        try (RemoteProgress events = RemoteProgress.follow(this, "RestoreProgress", "Restored",
                n -> n.equals(named) || n.equals(file0), progress)) {
            io.berth.api.dto.RestoreAnswer a = client().post("api/v1/restore", Client.bytes(request), "application/json",
                    Duration.ofMinutes(120), new TypeReference<>() { });
            events.awaitEnd();
            return a;
        }
    }

    @Override
    public SnapshotAnswer createSnapshot(String name, String snapshot) {
        return client().post(snapshotsPath(name) + (snapshot == null ? "" : "?snapshot=" + encode(snapshot)), new byte[0],
                "application/json", Duration.ofSeconds(120), SNAPSHOT);
    }

    @Override
    public List<SnapshotView> snapshots(String name) {
        return client().get(name == null ? "api/v1/snapshots" : snapshotsPath(name), SNAPSHOTS);
    }

    @Override
    public SnapshotAnswer restoreSnapshot(String name, String snapshot, int gracePeriod) {
        return client().post(snapshotsPath(name) + "/" + encode(snapshot) + "/restore?gracePeriod=" + gracePeriod, new byte[0],
                "application/json", Duration.ofSeconds(gracePeriod + 180L), SNAPSHOT);
    }

    @Override
    public SnapshotAnswer deleteSnapshot(String name, String snapshot) {
        return client().delete(snapshotsPath(name) + "/" + encode(snapshot), Duration.ofSeconds(120), SNAPSHOT);
    }

    private static String snapshotsPath(String name) {
        return "api/v1/workloads/" + encode(name) + "/snapshots";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        // the JDK's HttpClient needs no closing for a command's lifetime
    }
}
