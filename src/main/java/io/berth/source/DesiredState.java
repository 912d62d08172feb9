package io.berth.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.manifest.CanonicalForm;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.Origin;
import io.berth.manifest.Workload;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Everything the daemon is asked to run, by source: the watched manifest directory, and the
 * sources applied through the API ({@code agent apply} against the daemon names each by its
 * {@code -f} path, like local mode; a plain POST without {@code ?source=} is "api"). Each source
 * prunes only its own workloads, and a name belongs to one source at a time: declaring it from a
 * second one is a conflict, not a silent takeover.
 *
 * <p>API sources are persisted under {@code STATE/sources/} (one JSON file each, written
 * atomically before anything is enqueued), so a restarted daemon keeps running what was applied,
 * and a source pruned to nothing stays known, so its leftovers are still removed. Thread-safe:
 * readers see an immutable snapshot; writers are serialised.
 */
public final class DesiredState {

    private static final Logger LOG = Logger.getLogger(DesiredState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A desired workload and the source that declares it. */
    public record Entry(Workload workload, String source) {
    }

    /** Names declared by another source; nothing was changed. */
    public static final class Conflict extends RuntimeException {
        public final List<String> lines;

        public Conflict(List<String> lines) {
            super(String.join("; ", lines));
            this.lines = List.copyOf(lines);
        }
    }

    /**
     * A source could not be recorded under {@code STATE/sources/} (the file system is full or
     * read-only, say): nothing was changed, the recorded file is the previous one, whole.
     */
    public static final class Unrecorded extends UncheckedIOException {
        public Unrecorded(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** Sources that are git repositories ({@code git:<url>}): changed by commits, never through the API. */
    public static final String GIT_PREFIX = "git:";

    private final String directorySource;
    private final Supplier<Map<String, Workload>> directory;
    private final Path dir;
    private volatile Map<String, Map<String, Workload>> api = Map.of();
    /** Recorded workloads that fail the current host policy (checked at load), with why: declared, never acted on. */
    private volatile Map<String, String> refused = Map.of();
    /** Bumped after every change through the API, so a reconcile can say which state it read. */
    private volatile long generation;

    private final java.util.function.Predicate<Workload> placedHere;
    /** Whether the directory's set is in force (a good load happened): until then its objects are not pruned. */
    private final java.util.function.BooleanSupplier directoryInForce;

    /** The source name of a watched directory: its absolute, normalised path (as {@code agent apply -f} names it too). */
    public static String sourceOf(Path directory) {
        return directory.toAbsolutePath().normalize().toString();
    }

    public DesiredState(String directorySource, Supplier<Map<String, Workload>> directory, Path stateDir) {
        this(directorySource, directory, stateDir, w -> true);
    }

    /** @param placedHere whether a workload's placement selects this host: the others are not desired here */
    public DesiredState(String directorySource, Supplier<Map<String, Workload>> directory, Path stateDir,
                 java.util.function.Predicate<Workload> placedHere) {
        this(directorySource, directory, () -> true, stateDir, placedHere);
    }

    /**
     * @param directoryInForce whether the directory's set is in force ({@link ManifestDirectory#inForce}):
     *                         while it is not (never read yet: missing at boot, invalid), objects of the
     *                         directory's source are not this state's to prune
     */
    public DesiredState(String directorySource, Supplier<Map<String, Workload>> directory,
                        java.util.function.BooleanSupplier directoryInForce, Path stateDir,
                        java.util.function.Predicate<Workload> placedHere) {
        this.directorySource = directorySource;
        this.directory = directory;
        this.directoryInForce = directoryInForce;
        this.dir = stateDir.resolve("sources");
        this.placedHere = placedHere;
    }

    /** Reads the persisted API sources; an unreadable file is logged and skipped, never fatal. */
    public synchronized void load() {
        load(null, null);
    }

    /**
     * Reads the persisted API and git sources and checks each workload against the current host
     * policy ({@link PolicyAtLoad}): one that fails stays declared by its source (so nothing is
     * pruned for it and its name stays owned) but is {@link #refused} until its source is applied
     * again; each one is reported to {@code events}.
     */
    public synchronized void load(HostPolicy policy, SourceEvents events) {
        PolicyAtLoad check = policy == null ? null : new PolicyAtLoad(policy, events);
        Map<String, String> refusing = new TreeMap<>();
        Map<String, Map<String, Workload>> loaded = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try {
                // An older Berth wrote them 0644 in 0755; they hold env values in clear.
                io.berth.util.FileModes.restrictTree(dir);
            } catch (IOException e) {
                LOG.warnf("cannot restrict the modes under %s to 0600/0700: %s", dir, e.getMessage());
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    try {
                        JsonNode root = JSON.readTree(f.toFile());
                        String source = root.get("source").asText();
                        Map<String, Workload> ws = new TreeMap<>();
                        for (JsonNode w : root.get("workloads")) {
                            Workload workload = CanonicalForm.fromJson(w.toString(), Origin.unknown(Path.of(source)));
                            // A recorded source never holds secret values: they are read from their
                            // files again now, as at every load; one that cannot be read leaves the
                            // workload declared but refused, until its source is applied again.
                            List<io.berth.manifest.ManifestError> unread = new ArrayList<>();
                            List<Workload> read = io.berth.manifest.SecretFiles.read(List.of(workload), unread);
                            String why = unread.isEmpty() ? null : unread.getFirst().message();
                            if (why != null && events != null) {
                                events.event(workload.name(), "SecretUnreadable", "source " + source + ": " + why);
                            }
                            if (!read.isEmpty()) {
                                workload = read.getFirst();
                            }
                            ws.put(workload.name(), workload);
                            if (why == null) {
                                why = check == null ? null : check.check(source, workload.name(), w.toString());
                            }
                            if (why != null) {
                                refusing.put(workload.name(), why);
                            }
                        }
                        loaded.put(source, ws);
                    } catch (IOException | RuntimeException e) {
                        LOG.errorf("cannot read the applied source %s, it is ignored until fixed: %s", f, e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        api = Map.copyOf(loaded);
        refused = Map.copyOf(refusing);
    }

    /**
     * Why this declared workload may not be acted on (it failed the host policy when the daemon
     * started), or null: it is neither created nor changed, and what runs of it is left alone.
     */
    public String refused(String name) {
        return refused.get(name);
    }

    /**
     * The generation of the API-applied state: read it before {@link #find}, and a reconcile that
     * read generation G saw every change up to G (the state is published before the bump).
     */
    public long generation() {
        return generation;
    }

    /** Marks a change made beside this state (a deletion requested for an undeclared workload). */
    public synchronized long bump() {
        return ++generation;
    }

    public String directorySource() {
        return directorySource;
    }

    /**
     * The desired workload with this name and its source, or null (also when its placement selects
     * other hosts: then it is not desired here, and a copy made earlier is pruned). The directory
     * comes first.
     */
    public Entry find(String name) {
        Entry e = declared(name);
        return e == null || !placedHere.test(e.workload()) ? null : e;
    }

    /** Like {@link #find}, whatever the placement: which source owns the name. */
    private Entry declared(String name) {
        Workload w = directory.get().get(name);
        if (w != null) {
            return new Entry(w, directorySource);
        }
        for (Map.Entry<String, Map<String, Workload>> s : api.entrySet()) {
            Workload a = s.getValue().get(name);
            if (a != null) {
                return new Entry(a, s.getKey());
            }
        }
        return null;
    }

    /** Every workload desired on this host, by name. */
    public Map<String, Entry> all() {
        Map<String, Entry> out = new TreeMap<>();
        api.forEach((source, ws) -> ws.values().forEach(w -> out.put(w.name(), new Entry(w, source))));
        directory.get().values().forEach(w -> out.put(w.name(), new Entry(w, directorySource)));
        out.values().removeIf(e -> !placedHere.test(e.workload()));
        return out;
    }

    /**
     * Whether objects marked with this source are the daemon's to prune: an API or git source it
     * recorded, or the watched directory once its set is in force (never while it has not been read).
     */
    public boolean knows(String source) {
        return directorySource.equals(source) ? directoryInForce.getAsBoolean() : api.containsKey(source);
    }

    /** Whether this source declares no workload at all now (for any host): pruning it prunes everything it ran. */
    public boolean declaresNothing(String source) {
        return directorySource.equals(source) ? directory.get().isEmpty() : api.getOrDefault(source, Map.of()).isEmpty();
    }

    /** The workloads an API source declares now (empty for an unknown source). */
    Map<String, Workload> source(String source) {
        return api.getOrDefault(source, Map.of());
    }

    /**
     * Applies workloads from API sources: each source's set becomes {@code workloads} (prune) or
     * is merged with it. Checked whole before anything is written: a name declared by another
     * source (the directory, or another API source) fails the lot.
     *
     * @return the names whose desired state changed or that left their source
     */
    public synchronized Set<String> apply(Map<String, List<Workload>> bySource, boolean prune) {
        List<String> conflicts = new ArrayList<>();
        Map<String, Workload> dirNow = directory.get();
        for (Map.Entry<String, List<Workload>> e : bySource.entrySet()) {
            if (e.getKey().equals(directorySource)) {
                conflicts.add("source " + directorySource + " is the watched manifest directory: change its files instead");
                continue;
            }
            for (Workload w : e.getValue()) {
                String owner = dirNow.containsKey(w.name()) ? directorySource : apiOwner(w.name());
                if (owner != null && !owner.equals(e.getKey()) && !handedOver(owner, w.name(), bySource, prune)) {
                    conflicts.add(w.origin() + ": " + w.name() + " is already declared by source " + owner
                            + " (delete it there first, or apply with --source " + owner + ")");
                }
            }
        }
        if (!conflicts.isEmpty()) {
            throw new Conflict(conflicts);
        }
        Map<String, Map<String, Workload>> next = new TreeMap<>(api);
        Set<String> touched = new LinkedHashSet<>();
        for (Map.Entry<String, List<Workload>> e : bySource.entrySet()) {
            Map<String, Workload> before = api.getOrDefault(e.getKey(), Map.of());
            Map<String, Workload> after = new TreeMap<>(prune ? Map.of() : before);
            e.getValue().forEach(w -> after.put(w.name(), w));
            for (String name : union(before.keySet(), after.keySet())) {
                Workload b = before.get(name);
                Workload a = after.get(name);
                if (b == null || a == null || !b.sameSpec(a)) {
                    touched.add(name);
                }
            }
            next.put(e.getKey(), Map.copyOf(after));
        }
        // All sources of this apply are recorded, or none: a full disk never leaves one written.
        Map<String, Map<String, Workload>> changed = new TreeMap<>();
        bySource.keySet().forEach(source -> changed.put(source, next.get(source)));
        persist(changed);
        api = Map.copyOf(next);
        forgetRefused(touched);
        generation++;
        return touched;
    }

    /**
     * Removes a workload from the API source that declares it.
     *
     * @return the source it was removed from, or null when no API source declared it
     * @throws Conflict when the manifest directory declares it
     */
    public synchronized String remove(String name) {
        if (directory.get().containsKey(name)) {
            throw new Conflict(List.of(name + " is declared in the watched manifest directory " + directorySource
                    + ": remove it from its file there"));
        }
        String owner = apiOwner(name);
        if (owner == null) {
            return null;
        }
        if (owner.startsWith(GIT_PREFIX)) {
            throw new Conflict(List.of(name + " is declared by the git source " + owner.substring(GIT_PREFIX.length())
                    + ": remove it from the repository (a commit), or it comes back at the next fetch"));
        }
        Map<String, Workload> after = new TreeMap<>(api.get(owner));
        after.remove(name);
        persist(Map.of(owner, after));
        Map<String, Map<String, Workload>> next = new HashMap<>(api);
        next.put(owner, Map.copyOf(after));
        api = Map.copyOf(next);
        forgetRefused(Set.of(name));
        generation++;
        return owner;
    }

    /**
     * Whether the owner of a name gives it up in this same change: it is rewritten (prune) without
     * the name, so it moves from one source to the other at once (the git source after its URL changed).
     */
    private static boolean handedOver(String owner, String name, Map<String, List<Workload>> bySource, boolean prune) {
        List<Workload> next = bySource.get(owner);
        return prune && next != null && next.stream().noneMatch(w -> w.name().equals(name));
    }

    /** The API-applied sources this daemon knows (also those pruned to nothing). */
    Set<String> sources() {
        return api.keySet();
    }

    /** A source applied again was checked under the current policy then: its names are no longer refused. */
    private void forgetRefused(Set<String> names) {
        if (!refused.isEmpty()) {
            Map<String, String> left = new TreeMap<>(refused);
            left.keySet().removeAll(names);
            refused = Map.copyOf(left);
        }
    }

    private String apiOwner(String name) {
        for (Map.Entry<String, Map<String, Workload>> s : api.entrySet()) {
            if (s.getValue().containsKey(name)) {
                return s.getKey();
            }
        }
        return null;
    }

    /**
     * Writes each source's file atomically (temp file, then rename), all or none of them, so a
     * crash or a full file system leaves the old or the new sets, never some of each.
     */
    private void persist(Map<String, Map<String, Workload>> sources) {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Map<String, Workload>> s : sources.entrySet()) {
                ObjectNode root = JSON.createObjectNode();
                root.put("source", s.getKey());
                ArrayNode list = root.putArray("workloads");
                for (Workload w : s.getValue().values()) {
                    list.add(JSON.valueToTree(CanonicalForm.toStoredTree(w)));
                }
                files.put(dir.resolve(fileName(s.getKey())), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            }
            io.berth.util.AtomicFiles.writeAll(files);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                    : String.valueOf(e.getMessage());
            String message = "cannot record the applied source" + (sources.size() == 1 ? " " : "s ")
                    + String.join(", ", sources.keySet()) + " under " + dir + ": " + why + "; nothing was changed";
            LOG.error(message);
            throw new Unrecorded(message, e);
        }
    }

    /** A file name per source: its SHA-256, since a source is any string (usually a path). */
    static String fileName(String source) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12) + ".json";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }
}
