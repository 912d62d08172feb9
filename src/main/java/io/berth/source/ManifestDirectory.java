package io.berth.source;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.ManifestError;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;
import io.berth.util.DaemonThreads;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's desired state, read from a watched directory of manifests (like the kubelet's
 * static-pod path). The directory is read with {@link ManifestLoader}: recursively, in name order,
 * only {@code .yaml}/{@code .yml} files, ignoring dotfiles, dot-directories and editor swap and
 * backup files.
 *
 * <p>{@link #start()} loads once on the calling thread, so {@link #current()} holds the first state
 * before it returns, then watches on one platform daemon thread. Any change reloads the whole
 * directory. Triggers are a {@link WatchService} registered on the directory and every subdirectory
 * (new ones are registered as they appear), debounced so a burst of events (an editor's write and
 * rename, a {@code cp -r}) causes one reload {@value #DEBOUNCE_MILLIS} ms after the last event; and a
 * rescan every {@code rescanInterval} as a safety net, because a WatchService can miss events (some
 * filesystems, overflow, the directory itself replaced or created later).
 *
 * <p>After a reload:
 * <ul>
 * <li>If the load has errors, the last good snapshot stays in force and
 *     {@link Listener#invalid} is called, but only when the set of errors differs from the one last
 *     reported, so a broken file is not reported again at every rescan. {@code changed} is not
 *     called, even if other files changed: a half-valid directory is never applied.</li>
 * <li>If it is valid, the changed names are those added, removed, or whose
 *     {@link CanonicalForm#specHash spec hash} (the whole normalised spec: any field) differs from the
 *     last good snapshot. If there are any, the snapshot is replaced and {@link Listener#changed} is
 *     called; if there are none (a touch, a reformat, a workload moved to another file), nothing
 *     happens and the snapshot, including its workloads' origins, is kept.</li>
 * </ul>
 * The initial load in {@code start} is compared with an empty snapshot, so it calls {@code changed}
 * with every name (or {@code invalid} with its errors) on the thread calling {@code start}; all later
 * callbacks run on the watcher thread. Callbacks never overlap. A listener that throws is logged and
 * does not stop the watcher.
 *
 * <p>A directory that vanished is an error, never an empty set ({@link DirectoryPresence}): one that
 * does not exist, cannot be read, or whose filesystem was unmounted (it now sits on a shallower
 * mount than at its last good load, or /etc/fstab mounts something there that is not mounted) is
 * reported through {@link Listener#unavailable} once per distinct problem, the last good snapshot
 * stays in force and nothing is pruned; it is looked at again at every rescan and event, and once
 * it reads again {@link Listener#available} is called and loading goes on as usual. Until a first
 * good load, {@link #inForce()} is false: the directory's source has no set in force at all (at a
 * boot with its filesystem missing, or a broken file), so what it declared before keeps running
 * untouched. An existing, readable, empty directory is a valid empty set: it prunes.
 *
 * <p>{@link #current()} is thread-safe. {@link #close()} stops the watcher and is idempotent; once it
 * returns no new callback starts (one already running on the watcher thread is waited for, up to a
 * few seconds).
 */
public final class ManifestDirectory implements AutoCloseable {

    /** Quiet time after the last filesystem event before reloading. */
    static final long DEBOUNCE_MILLIS = 100;

    private static final Logger LOG = Logger.getLogger(ManifestDirectory.class.getName());
    /** Longer durations are capped, so deadline arithmetic on {@link System#nanoTime} cannot overflow. */
    private static final Duration MAX_WAIT = Duration.ofDays(1000);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** Receives the directory's changes. Calls never overlap. */
    public interface Listener {

        /**
         * The directory now holds a valid, different set of workloads.
         *
         * @param snapshot     the new snapshot (already what {@link #current()} returns)
         * @param changedNames the names added, removed or whose spec changed (sorted, never empty)
         */
        void changed(Snapshot snapshot, Set<String> changedNames);

        /**
         * The directory does not load cleanly; {@code lastGood} stays in force. Called once per
         * distinct set of errors.
         *
         * @param errors   every error of the load, as {@link ManifestLoader} sorts them
         * @param lastGood the snapshot still in force
         */
        void invalid(List<ManifestError> errors, Snapshot lastGood);

        /**
         * The directory cannot be read as the one last loaded (missing, unreadable, its filesystem
         * unmounted); {@code lastGood} stays in force and nothing is pruned. Called once per distinct
         * problem. By default reported as {@link #invalid} with one error at the directory.
         *
         * @param problem one line naming the directory, the cause and what stays in force
         */
        default void unavailable(Path dir, String problem, Snapshot lastGood) {
            invalid(List.of(new ManifestError(io.berth.manifest.Origin.unknown(dir), "", problem)), lastGood);
        }

        /** The directory reads again after {@link #unavailable}; loading resumes (a change follows if any). */
        default void available(Path dir, Snapshot current) {
        }
    }

    /**
     * One valid state of the directory. Immutable.
     *
     * @param workloads   by name, sorted by name
     * @param loadedAt    when the load that produced this state ran
     * @param fingerprint lowercase hex SHA-256 over every (name, spec hash) pair: equal fingerprints
     *                    mean equal specs, whatever files they came from
     */
    public record Snapshot(Map<String, Workload> workloads, Instant loadedAt, String fingerprint) {

        public Snapshot {
            workloads = Collections.unmodifiableMap(new TreeMap<>(workloads));
            Objects.requireNonNull(loadedAt, "loadedAt");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }

        static Snapshot of(Map<String, Workload> workloads, Map<String, String> hashes, Instant loadedAt) {
            return new Snapshot(workloads, loadedAt, ManifestDirectory.fingerprint(hashes));
        }
    }

    private final Path dir;
    private final String loadArgument;
    private final long rescanNanos;
    private final long debounceNanos;
    private final boolean watch;
    private final SafeListener listener;
    private final ManifestLoader loader;
    private final DirectoryPresence presence;

    private final Object lifecycle = new Object();
    private boolean started; // guarded by lifecycle
    private volatile boolean closed;
    private volatile Snapshot current;
    private volatile boolean inForce; // a valid load happened
    private volatile String problem; // why the directory is not applied now (unavailable or invalid), null when it is
    private volatile Thread watcherThread;
    private ExecutorService executor;
    private DirectoryWatch watcher; // null when the filesystem has none: rescans only

    // Loading and watching state: touched by start() before the watcher thread exists, then only by it.
    private Map<String, String> hashes = Map.of();
    private Set<ManifestError> reported; // the errors last passed to invalid(), null after a valid load
    private String unavailable; // the problem last passed to unavailable(), null while the directory reads
    private final EmptyFiles emptyFiles = new EmptyFiles();

    /**
     * @param dir            the directory to read (it need not exist yet)
     * @param rescanInterval how often to reload regardless of filesystem events; positive
     * @param listener       receives changes and errors
     */
    public ManifestDirectory(Path dir, Duration rescanInterval, Listener listener) {
        this(dir, rescanInterval, Duration.ofMillis(DEBOUNCE_MILLIS), true, listener, HostPolicy.fromEnvironment(), null);
    }

    /** The file under the state directory that records the filesystem of the last good load. */
    public static final String MOUNT_RECORD = "manifest-mount";

    /**
     * Read under the given host policy (the daemon's configuration) instead of the environment's,
     * with the filesystem of each good load recorded under {@code stateDir} ({@link #MOUNT_RECORD}),
     * so the first load after a start is checked against the last one before it.
     */
    public ManifestDirectory(Path dir, Duration rescanInterval, Listener listener, HostPolicy policy, Path stateDir) {
        this(dir, rescanInterval, Duration.ofMillis(DEBOUNCE_MILLIS), true, listener, policy,
                stateDir.resolve(MOUNT_RECORD));
    }

    /**
     * With a chosen debounce, and without a WatchService when {@code watch} is false, so only the
     * rescans find changes (as on a filesystem that has none). For tests.
     */
    ManifestDirectory(Path dir, Duration rescanInterval, Duration debounce, boolean watch, Listener listener) {
        this(dir, rescanInterval, debounce, watch, listener, HostPolicy.fromEnvironment(), null);
    }

    private ManifestDirectory(Path dir, Duration rescanInterval, Duration debounce, boolean watch, Listener listener,
                              HostPolicy policy, Path mountRecord) {
        this.loader = new ManifestLoader(java.io.InputStream.nullInputStream(), policy)
                .refusingNetworks(io.berth.manifest.NetworkManifest.DAEMON_REFUSAL);
        this.dir = Objects.requireNonNull(dir, "dir");
        this.listener = new SafeListener(Objects.requireNonNull(listener, "listener"), () -> closed);
        this.presence = new DirectoryPresence(dir, mountRecord);
        if (rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("rescanInterval must be positive: " + rescanInterval);
        }
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("debounce must not be negative: " + debounce);
        }
        this.rescanNanos = nanos(rescanInterval);
        this.debounceNanos = nanos(debounce);
        // ManifestLoader reads standard input for "-": a directory of that name must not be read so.
        this.loadArgument = dir.toString().equals("-") ? "./-" : dir.toString();
        this.watch = watch;
        this.current = Snapshot.of(Map.of(), Map.of(), Instant.now());
    }

    /**
     * Loads the directory once (calling the listener for the first state), then starts watching.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        synchronized (lifecycle) {
            if (closed || started) {
                throw new IllegalStateException(closed ? "closed" : "already started");
            }
            started = true;
            try {
                watcher = watch ? new DirectoryWatch(dir) : null;
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(Level.INFO, "cannot watch " + dir + " for changes (" + e + "); rescanning every "
                        + Duration.ofNanos(rescanNanos) + " only");
                watcher = null;
            }
            reload(true);
            if (closed) {
                return; // the listener closed us during the first callback
            }
            executor = DaemonThreads.fixed("berth-manifest-dir", 1);
            WatchLoop loop = new WatchLoop(dir, watcher, rescanNanos, debounceNanos, () -> closed, () -> reload(false));
            executor.submit(() -> {
                watcherThread = Thread.currentThread();
                loop.run();
            });
        }
    }

    /** The last good snapshot: empty before {@link #start()} and while nothing valid was ever loaded. */
    public Snapshot current() {
        return current;
    }

    /**
     * Whether a valid load ever happened, so {@link #current()} is the directory's set in force; while
     * false, nothing the directory declared before is to be pruned. Thread-safe.
     */
    public boolean inForce() {
        return inForce;
    }

    /** Why the directory is not being applied right now (unavailable, or invalid manifests), or null. Thread-safe. */
    public String problem() {
        return problem;
    }

    /** Stops watching. Idempotent. */
    @Override
    public void close() {
        ExecutorService toAwait;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            if (watcher != null) {
                watcher.close();
            }
            toAwait = executor;
            if (toAwait != null) {
                toAwait.shutdownNow();
            }
        }
        if (toAwait != null && Thread.currentThread() != watcherThread) {
            try {
                if (!toAwait.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warning("manifest directory watcher for " + dir + " did not stop within " + CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- loading ----

    private void reload(boolean initial) {
        if (watcher != null) {
            watcher.registerTree();
        }
        Instant at = Instant.now();
        ManifestLoader.LoadResult result = present() ? loader.load(List.of(loadArgument)) : null;
        if (result == null || !present()) {
            return; // gone (also while being read): reported, the last good snapshot stays
        }
        presence.loaded();
        if (!result.ok()) {
            Set<ManifestError> errors = Set.copyOf(result.errors());
            problem = result.errors().size() + " invalid manifest(s), the last good set stays in force; first: "
                    + result.errors().getFirst();
            if (!errors.equals(reported)) {
                reported = errors;
                LOG.fine(() -> "manifests in " + dir + " are invalid; keeping the last good state: " + result.errors());
                listener.invalid(result.errors(), current);
            }
            return;
        }
        reported = null;
        problem = null;
        Map<String, Workload> byName = new TreeMap<>();
        Map<String, String> newHashes = new TreeMap<>();
        for (Workload w : result.workloads()) {
            byName.put(w.name(), w);
            newHashes.put(w.name(), CanonicalForm.specHash(w));
        }
        Set<String> changed = new TreeSet<>();
        for (Map.Entry<String, String> e : newHashes.entrySet()) {
            if (!e.getValue().equals(hashes.get(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        for (String old : hashes.keySet()) {
            if (!newHashes.containsKey(old)) {
                changed.add(old);
            }
        }
        boolean first = initial || !inForce; // the first good load is in force even when empty
        if (changed.isEmpty() && !first) {
            emptyFiles.clear();
            return;
        }
        if (!first && emptyFiles.inFlux(current.workloads(), newHashes.keySet(), System.nanoTime())) {
            return; // the next event or rescan looks again
        }
        Snapshot snapshot = Snapshot.of(byName, newHashes, at);
        hashes = newHashes;
        current = snapshot;
        inForce = true;
        if (!changed.isEmpty()) {
            LOG.fine(() -> "manifests in " + dir + " changed: " + changed);
            listener.changed(snapshot, Collections.unmodifiableSet(changed));
        }
    }

    /**
     * Whether the directory reads as the one last loaded; if not, reports it once per distinct
     * problem, and when it reads again after one, says so.
     */
    private boolean present() {
        String now = presence.problem();
        if (now != null) {
            problem = now + "; the last good set (" + current.workloads().size() + " workload(s)) stays in force,"
                    + " nothing is pruned until it is back";
            if (!now.equals(unavailable)) {
                unavailable = now;
                listener.unavailable(dir, problem, current);
            }
            return false;
        }
        if (unavailable != null) {
            unavailable = null;
            problem = null;
            reported = null; // errors found before it vanished are reported again if still there
            listener.available(dir, current);
        }
        return true;
    }

    // ---- helpers ----

    private static long nanos(Duration d) {
        return (d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d).toNanos();
    }

    static String fingerprint(Map<String, String> hashesByName) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : new TreeMap<>(hashesByName).entrySet()) {
                sha.update((e.getKey() + '\0' + e.getValue() + '\n').getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
