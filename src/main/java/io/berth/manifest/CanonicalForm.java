package io.berth.manifest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one canonical spelling of a workload: an ordered tree that is itself a valid manifest, with
 * every default written out, quantities and durations in their canonical spelling, and empty lists
 * and absent blocks left out. Berth stores its compact JSON in a runtime label, hashes it to detect
 * drift, and diffs trees to explain a plan, so the form must be exact and stable: two workloads with
 * {@link Workload#sameSpec} true give the same JSON, and any edit to any field changes it (the hash
 * covers the whole normalised spec, not a chosen subset). {@link #fromJson} reads it back.
 *
 * <p>Pure and thread-safe.
 */
public final class CanonicalForm {

    /** The spec field that is policy only ({@link #specHash}, and the planner's diff, leave it out). */
    public static final String POLICY_ONLY = "snapshots";

    private CanonicalForm() {
    }

    /** The workload as an ordered tree of maps, lists, strings, numbers and booleans. */
    public static Map<String, Object> toTree(Workload w) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("apiVersion", ManifestParser.API_VERSION);
        root.put("kind", w.kind().name());
        Map<String, Object> metadata = map(root, "metadata");
        metadata.put("name", w.name());
        putIfNotEmpty(metadata, "labels", w.labels());
        Map<String, Object> spec = map(root, "spec");
        resources(map(spec, "resources"), w.resources(), w.kind());
        if (w.placement() != null) {
            Map<String, Object> p = map(spec, "placement");
            putIfNotNull(p, "host", w.placement().host());
            putIfNotEmpty(p, "labels", w.placement().labels());
        }
        switch (w.spec()) {
            case ContainerSpec c -> container(spec, c);
            case VmSpec v -> vm(spec, v);
        }
        return root;
    }

    /** Compact JSON of {@link #toTree}, ASCII only (everything else escaped), so it is byte-stable. */
    public static String toJson(Workload w) {
        return JsonWriter.write(toTree(w));
    }

    /**
     * Lowercase hex SHA-256 of {@link #toJson} without {@code spec.snapshots}: the schedule is the
     * daemon's policy, not what the runtime made, so changing it is no change of the workload.
     */
    public static String specHash(Workload w) {
        Map<String, Object> tree = toTree(w);
        ((Map<?, ?>) tree.get("spec")).remove(POLICY_ONLY);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JsonWriter.write(tree).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Reads canonical JSON (or any single manifest document: JSON is YAML) back into a workload
     * whose origin is {@code origin}.
     *
     * @throws ManifestException if the text is not exactly one valid workload
     */
    public static Workload fromJson(String json, Origin origin) {
        ManifestParser.ParseResult result = new ManifestParser(HostPolicy.ANY).parse(origin.file(), json);
        if (!result.ok()) {
            throw new ManifestException(result.errors());
        }
        if (result.workloads().size() != 1) {
            throw new ManifestException(List.of(new ManifestError(origin, "",
                    "expected exactly one workload, found " + result.workloads().size())));
        }
        Workload w = result.workloads().get(0);
        return new Workload(w.name(), w.labels(), w.resources(), w.placement(), w.spec(), origin, Map.of(), w.dependsOn());
    }

    /**
     * {@link #toTree} plus {@code spec.dependsOn} when there is any: what a daemon keeps of a
     * manifest applied through its API, so the start order survives a restart. Never hashed, never
     * in a label (start order is not runtime spec); {@link #fromJson} reads it back.
     */
    public static Map<String, Object> toStoredTree(Workload w) {
        Map<String, Object> root = toTree(w);
        if (!w.dependsOn().isEmpty()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) root.get("spec");
            spec.put(DependsOnParser.FIELD, w.dependsOn().stream().map(d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("condition", d.condition().name());
                return m;
            }).toList());
        }
        return root;
    }

    private static void resources(Map<String, Object> out, Resources r, Kind kind) {
        Map<String, Object> limits = map(out, "limits");
        limits.put("cpu", Quantities.formatCpu(r.limits().cpuMillis()));
        limits.put("memory", Quantities.formatMemory(r.limits().memoryBytes()));
        if (kind == Kind.Container) {
            limits.put("pids", r.pids());
        }
        Map<String, Object> requests = map(out, "requests");
        requests.put("cpu", Quantities.formatCpu(r.requests().cpuMillis()));
        requests.put("memory", Quantities.formatMemory(r.requests().memoryBytes()));
    }

    private static void container(Map<String, Object> spec, ContainerSpec c) {
        spec.put("image", c.image());
        spec.put("imagePullPolicy", c.imagePullPolicy().name());
        putIfNotEmpty(spec, "command", c.command());
        putIfNotEmpty(spec, "args", c.args());
        putIfNotEmpty(spec, "env", c.env().stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("value", e.value());
            return m;
        }).toList());
        putIfNotEmpty(spec, "ports", c.ports().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("containerPort", p.containerPort());
            m.put("hostPort", p.hostPort());
            putIfNotNull(m, "hostIP", p.hostIP());
            m.put("protocol", p.protocol().name());
            return m;
        }).toList());
        putIfNotEmpty(spec, "volumes", c.volumes().stream().map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("mountPath", v.mountPath());
            m.put("readOnly", v.readOnly());
            return m;
        }).toList());
        spec.put("restartPolicy", c.restartPolicy().name());
        if (c.healthCheck() != null) {
            Map<String, Object> h = map(spec, "healthCheck");
            h.put("command", c.healthCheck().command());
            h.put("interval", Quantities.formatDuration(c.healthCheck().intervalMillis()));
            h.put("timeout", Quantities.formatDuration(c.healthCheck().timeoutMillis()));
            h.put("retries", c.healthCheck().retries());
        }
        if (c.securityContext() != null) {
            Map<String, Object> s = map(spec, "securityContext");
            putIfNotNull(s, "user", c.securityContext().user());
            s.put("readOnlyRootFilesystem", c.securityContext().readOnlyRootFilesystem());
            s.put("privileged", c.securityContext().privileged());
        }
        // Left out when empty, so a container on no networks records and hashes exactly as before.
        putIfNotEmpty(spec, "networks", c.networks().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            putIfNotEmpty(m, "aliases", n.aliases());
            return m;
        }).toList());
        putIfNotEmpty(spec, SecretsParser.FIELD, c.secrets().stream()
                .sorted(java.util.Comparator.comparing(ContainerSpec.Secret::name)).map(x -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", x.name());
            m.put("file", x.file());
            m.put("mountPath", x.mountPath());
            m.put("mode", x.modeText());
            m.put("uid", x.uid());
            m.put("gid", x.gid());
            // Only ever a digest: a value read from its file stays in memory, never in a tree (a
            // recorded source, a label, an answer). Redaction turns values into digests first.
            if (Redaction.isDigest(x.content())) {
                m.put(SecretsParser.DIGEST, x.content());
            }
            return m;
        }).toList());
    }

    private static void vm(Map<String, Object> spec, VmSpec v) {
        spec.put("hypervisor", v.hypervisor().name());
        Map<String, Object> disk = map(spec, "disk");
        if (v.disk().from() != null) {
            Map<String, Object> from = map(disk, "from");
            from.put("workload", v.disk().from().workload());
            from.put("snapshot", v.disk().from().snapshot());
        } else if (v.disk().url() == null) {
            disk.put("image", v.disk().image());
        } else {
            Map<String, Object> image = map(disk, "image");
            image.put("url", v.disk().url().url());
            image.put("sha256", v.disk().url().sha256());
        }
        if (v.disk().sizeBytes() > 0) {
            disk.put("size", Quantities.formatMemory(v.disk().sizeBytes()));
        }
        if (v.kernel() != null) {
            Map<String, Object> k = map(spec, "kernel");
            k.put("path", v.kernel().path());
            putIfNotNull(k, "initrd", v.kernel().initrd());
            putIfNotNull(k, "cmdline", v.kernel().cmdline());
        }
        if (v.cloudInit() != null) {
            map(spec, "cloudInit").put("userData", v.cloudInit().userData());
        }
        Map<String, Object> network = map(spec, "network");
        network.put("type", v.network().type().name());
        putIfNotNull(network, "source", v.network().source());
        if (v.snapshots() != null) {
            Map<String, Object> snapshots = map(spec, POLICY_ONLY);
            snapshots.put("schedule", v.snapshots().schedule().toString());
            snapshots.put("keep", v.snapshots().keep());
        }
    }

    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Map<String, Object> child = new LinkedHashMap<>();
        parent.put(key, child);
        return child;
    }

    private static void putIfNotNull(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void putIfNotEmpty(Map<String, Object> m, String key, Object value) {
        if (value instanceof List<?> l && !l.isEmpty() || value instanceof Map<?, ?> mm && !mm.isEmpty()) {
            m.put(key, value instanceof Map<?, ?> mm2 ? new LinkedHashMap<>(mm2) : value);
        }
    }
}
