package io.berth.source;


import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.source.git.GitException;
import io.berth.source.git.GitFetcher;
import io.berth.source.git.Revision;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The git source: fetches one branch (every {@code berth.git.interval}, and at once on a webhook
 * or {@code agent reconcile}) and makes each new commit the desired state of the source
 * {@code git:<url>} — as one unit. A commit is loaded and validated whole first; an invalid one
 * (a manifest error, a name another source owns, a missing path) is not applied at all, the last
 * good revision stays in force, and the error is in status and events. Prune is scoped to this
 * source, like every other.
 *
 * <p>The applied workloads are persisted by {@link DesiredState} like an API source, so a restarted
 * daemon keeps running the last good revision even while the repository is unreachable; what was
 * fetched and applied when is kept in {@code STATE/git/status.json}. All fetches run on one thread,
 * so a poll, a webhook and a reconcile never fetch at once.
 */
public final class GitSync implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GitSync.class);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** A revision and when it was fetched or applied. */
    record Seen(String commit, String message, String author, Instant committedAt, Instant at) {
        static Seen of(Revision r, Instant at) {
            return new Seen(r.commit(), r.message(), r.author(), r.committedAt(), at);
        }

        String shortCommit() {
            return Revision.abbreviate(commit);
        }
    }

    /**
     * What one sync came to.
     *
     * @param fetched the head it fetched (null when the fetch failed)
     * @param applied the revision in force afterwards (null when none ever was)
     * @param error   why the fetched head is not in force (fetch failed, invalid commit), or null
     * @param changed the workloads whose desired state this sync changed
     */
    public record Result(Seen fetched, Seen applied, String error, Set<String> changed) {
        public boolean ok() {
            return error == null;
        }
    }

    /** The persisted status: last fetched, last applied, and the last error with its revision. */
    record State(String url, String branch, String path, Seen fetched, Seen applied, String error, String errorCommit,
                 Instant errorAt) {
    }

    private final GitConfig config;
    private final String url;
    private final String source;
    private final Path dir;
    private final DesiredState desired;
    private final Consumer<Set<String>> enqueue;
    private final SourceEvents book;
    private final HostPolicy policy;
    private final ScheduledExecutorService thread;
    private GitFetcher fetcher;
    private volatile State state;
    /** When the revision in force was applied (epoch seconds), for alerts on a source stuck on an old commit. */
    private final java.util.concurrent.atomic.AtomicLong appliedAt = new java.util.concurrent.atomic.AtomicLong();

    public GitSync(GitConfig config, Path stateDir, DesiredState desired, Consumer<Set<String>> enqueue,
            SourceEvents book, HostPolicy policy) {
        this.config = config;
        this.url = config.url().orElseThrow();
        this.source = DesiredState.GIT_PREFIX + GitFetcher.displayUrl(url);
        this.dir = stateDir.resolve("git");
        this.desired = desired;
        this.enqueue = enqueue;
        this.book = book;
        this.policy = policy;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "git");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.thread = t;
        this.state = load();
        if (state.applied() != null) {
            appliedAt.set(state.applied().at().getEpochSecond());
        }
        io.micrometer.core.instrument.Gauge.builder("berth.git.applied.timestamp.seconds", appliedAt,
                        java.util.concurrent.atomic.AtomicLong::doubleValue)
                .description("Unix time the git source's commit was last applied (0: none yet); now minus this is how stale it is")
                .register(io.micrometer.core.instrument.Metrics.globalRegistry);
        for (String r : List.of("applied", "unchanged", "invalid", "fetch_failed")) {
            count(r, 0); // exported from the start, at 0
        }
    }

    /** {@code berth_git_sync_total{result}}: applied, unchanged, invalid (a commit refused), fetch_failed. */
    private static void count(String result, int n) {
        io.micrometer.core.instrument.Counter.builder("berth.git.sync").tag("result", result)
                .description("Fetches of the git source by result: applied (a new commit), unchanged, invalid (a commit "
                        + "refused, the last good one stays), fetch_failed")
                .register(io.micrometer.core.instrument.Metrics.globalRegistry).increment(n);
    }

    /** The source name on desired state and ownership labels: {@code git:<url without password>}. */
    public String source() {
        return source;
    }

    /** Fetches now and then every interval. */
    public void start() {
        // At a fixed rate, not delay: a push waits at most one interval for its fetch, whatever the last one took.
        thread.scheduleAtFixedRate(this::syncQuietly, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A fetch and apply now, after any that is running; completes with what it came to. */
    public CompletableFuture<Result> syncNow() {
        CompletableFuture<Result> f = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                f.complete(sync());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** The status for the API: where, what was fetched and applied when, the last error. */
    public Map<String, Object> status() {
        State s = state;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("url", GitFetcher.displayUrl(url));
        m.put("branch", config.branch());
        m.put("path", config.path());
        m.put("interval", config.interval().toString());
        m.put("webhook", config.webhookSecretFile().isPresent());
        m.put("fetched", s.fetched());
        m.put("applied", s.applied());
        m.put("error", s.error());
        m.put("errorRevision", s.errorCommit());
        m.put("errorAt", s.errorAt());
        return m;
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.errorf(e, "git source %s: sync failed", source);
        }
    }

    /** One fetch, and the new head applied if it is new and valid. On the git thread only. */
    private Result sync() {
        State s = state;
        Revision head;
        try {
            head = fetcher().fetch();
        } catch (GitException e) {
            fail(null, e.getMessage(), "GitFetchFailed");
            count("fetch_failed", 1);
            return new Result(null, s.applied(), e.getMessage(), Set.of());
        }
        Seen fetched = Seen.of(head, Instant.now());
        s = state;
        state = s = new State(s.url(), s.branch(), s.path(), fetched, s.applied(), s.error(), s.errorCommit(), s.errorAt());
        boolean retire = desired.sources().stream().anyMatch(o -> o.startsWith(DesiredState.GIT_PREFIX) && !o.equals(source));
        boolean sameSettings = config.branch().equals(s.branch()) && config.path().equals(s.path());
        if (s.applied() != null && s.applied().commit().equals(head.commit()) && sameSettings
                && desired.sources().contains(source) && !retire) {
            if (s.error() != null) {
                book.event(null, "RevisionApplied", "git " + fetched.shortCommit() + " (in force) is the branch head again;"
                        + " cleared: " + s.error());
            }
            state = new State(s.url(), s.branch(), s.path(), fetched, s.applied(), null, null, null);
            save();
            count("unchanged", 1);
            return new Result(fetched, s.applied(), null, Set.of());
        }
        if (head.commit().equals(s.errorCommit())) {
            save(); // the same invalid commit again: reported once, still not applied
            count("invalid", 1);
            return new Result(fetched, s.applied(), s.error(), Set.of());
        }
        String problem;
        try {
            Map<Path, byte[]> files = fetcher().files(head.commit(), config.path());
            ManifestLoader.LoadResult loaded = new ManifestLoader(java.io.InputStream.nullInputStream(), policy)
                .refusingNetworks(io.berth.manifest.NetworkManifest.DAEMON_REFUSAL).loadTexts(files);
            if (loaded.errors().isEmpty()) {
                Set<String> changed = desired.apply(sources(loaded.workloads()), true);
                enqueue.accept(changed);
                Seen applied = Seen.of(head, Instant.now());
                state = new State(s.url(), config.branch(), config.path(), fetched, applied, null, null, null);
                save();
                appliedAt.set(applied.at().getEpochSecond());
                count("applied", 1);
                book.event(null, "RevisionApplied", "git " + applied.shortCommit() + " \"" + head.message() + "\": "
                        + loaded.workloads().size() + " workload(s) declared, " + changed.size() + " changed");
                LOG.infof("git source %s: applied %s (%s): %d workload(s), %d changed", source, applied.shortCommit(),
                        head.message(), loaded.workloads().size(), changed.size());
                return new Result(fetched, applied, null, changed);
            }
            List<String> lines = loaded.errors().stream().map(ManifestError::toString).toList();
            problem = "revision " + fetched.shortCommit() + " is invalid, nothing of it was applied: " + String.join("; ", lines);
        } catch (GitException e) {
            problem = "revision " + fetched.shortCommit() + " cannot be read, nothing of it was applied: " + e.getMessage();
        } catch (DesiredState.Conflict e) {
            problem = "revision " + fetched.shortCommit() + " declares names other sources own, nothing of it was applied: "
                    + String.join("; ", e.lines);
        }
        String kept = s.applied() == null ? "no revision was ever applied" : s.applied().shortCommit() + " stays in force";
        fail(head.commit(), problem + " (" + kept + ")", "InvalidRevision");
        count("invalid", 1);
        return new Result(fetched, s.applied(), state.error(), Set.of());
    }

    /** This source's new set, and every other git source retired (the URL changed): their workloads are pruned. */
    private Map<String, List<Workload>> sources(List<Workload> workloads) {
        Map<String, List<Workload>> by = new LinkedHashMap<>();
        for (String other : desired.sources()) {
            if (other.startsWith(DesiredState.GIT_PREFIX) && !other.equals(source)) {
                by.put(other, List.of());
            }
        }
        by.put(source, workloads);
        return by;
    }

    /** Records an error once per distinct message (a broken remote is not an event every interval). */
    private void fail(String commit, String error, String eventType) {
        State s = state;
        if (!error.equals(s.error())) {
            book.event(null, eventType, error);
            LOG.warnf("git source %s: %s", source, error);
        }
        state = new State(s.url(), s.branch(), s.path(), s.fetched(), s.applied(), error, commit,
                error.equals(s.error()) ? s.errorAt() : Instant.now());
        save();
    }

    private GitFetcher fetcher() throws GitException {
        if (fetcher == null) {
            fetcher = new GitFetcher(new GitFetcher.Settings(url, config.branch(), config.tokenFile(), config.username(),
                    config.sshKeyFile(), config.knownHostsFile(), config.timeout()), dir.resolve("cache.git"));
        }
        return fetcher;
    }

    private State load() {
        Path f = dir.resolve("status.json");
        try {
            io.berth.util.FileModes.restrictTree(dir); // the cache and status of an older Berth were 0644 in 0755
        } catch (IOException e) {
            LOG.warnf("git source: cannot restrict the modes under %s to 0600/0700: %s", dir, e.getMessage());
        }
        if (Files.isRegularFile(f)) {
            try {
                State s = JSON.readValue(f.toFile(), State.class);
                if (GitFetcher.displayUrl(url).equals(s.url())) {
                    // A commit refused before the restart is looked at again once (the policy may have changed).
                    return new State(s.url(), s.branch(), s.path(), s.fetched(), s.applied(), s.error(), null, s.errorAt());
                }
            } catch (IOException e) {
                LOG.warnf("git source: cannot read %s, starting without a record of applied revisions: %s", f, e.getMessage());
            }
        }
        return new State(GitFetcher.displayUrl(url), config.branch(), config.path(), null, null, null, null, null);
    }

    /** Written atomically; a failure is logged (the desired state itself is already persisted). */
    private void save() {
        try {
            io.berth.util.AtomicFiles.write(dir.resolve("status.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        } catch (IOException e) {
            LOG.warnf("git source: cannot record its status under %s: %s", dir, e.getMessage());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fetcher != null) {
            fetcher.close();
        }
    }
}
