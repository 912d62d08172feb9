package io.berth.manifest;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one composed YAML document into a {@link Workload}: the envelope (apiVersion, kind,
 * metadata), the parts of {@code spec} both kinds share (resources, placement) and then the
 * kind's own fields. Not thread-safe: one per parse.
 */
final class DocumentParser {

    static final List<String> ROOT = List.of("apiVersion", "kind", "metadata", "spec");
    static final List<String> METADATA = List.of("name", "labels");
    static final List<String> COMMON = List.of("resources", "placement", DependsOnParser.FIELD);
    static final List<String> PLACEMENT = List.of("host", "labels");

    private final NodeReader r;
    private final HostPolicy images;

    DocumentParser(NodeReader reader, HostPolicy images) {
        this.r = reader;
        this.images = images;
    }

    /** The workload, or null when the document has any error (all of them recorded). */
    ManifestParser.Parsed parse(Node root) {
        int before = r.errorCount();
        r.takePositions();
        if (!(root instanceof MappingNode)) {
            String hint = root instanceof SequenceNode ? " (to put several manifests in one file, separate them with ---)" : "";
            r.error(root, "", "a manifest must be a mapping with apiVersion, kind, metadata and spec, got "
                    + NodeReader.describe(root) + hint);
            return null;
        }
        Fields doc = r.fields(root, "", ROOT);
        String apiVersion = doc.requiredString("apiVersion", "valid: " + ManifestParser.API_VERSION);
        if (apiVersion != null && !apiVersion.equals(ManifestParser.API_VERSION)) {
            r.error(doc.get("apiVersion"), "apiVersion",
                    Messages.quote(apiVersion) + " is not supported (valid: " + ManifestParser.API_VERSION + ")");
        }
        Node kindNode = doc.require("kind", "valid: Container, VirtualMachine, " + NetworkParser.KIND);
        if (kindNode instanceof org.yaml.snakeyaml.nodes.ScalarNode k && k.getValue().equals(NetworkParser.KIND)) {
            NetworkManifest network = new NetworkParser(r).parse(doc, root);
            return network == null ? null : new ManifestParser.Parsed(null, network, network.nameOrigin());
        }
        Kind kind = kindNode == null ? null : r.enumValue(kindNode, "kind", Kind.class);

        Fields metadata = doc.has("metadata") ? r.fields(doc.get("metadata"), "metadata", METADATA) : missing(doc, "metadata");
        String name = null;
        Map<String, String> labels = Map.of();
        if (metadata != null) {
            name = metadata.requiredString("name", null);
            String problem = name == null ? null : Syntax.workloadName(name);
            if (problem != null) {
                r.error(metadata.get("name"), "metadata.name", problem);
            }
            labels = labels(metadata, "labels");
        }

        Fields spec = doc.has("spec") ? r.fields(doc.get("spec"), "spec", known(kind), elsewhere(kind)) : missing(doc, "spec");
        Resources resources = null;
        Placement placement = null;
        WorkloadSpec workloadSpec = null;
        List<Dependency> dependsOn = List.of();
        if (spec != null) {
            resources = new ResourcesParser(r).parse(spec, kind);
            placement = placement(spec);
            dependsOn = new DependsOnParser(r).parse(spec);
            if (kind == Kind.Container) {
                workloadSpec = new ContainerSpecParser(r, images).parse(spec);
            } else if (kind == Kind.VirtualMachine) {
                workloadSpec = new VmSpecParser(r, images).parse(spec, name);
            }
        }
        if (r.errorCount() > before || name == null || resources == null || workloadSpec == null) {
            return null;
        }
        Workload w = new Workload(name, labels, resources, placement, workloadSpec, r.origin(root), r.takePositions(),
                dependsOn);
        return new ManifestParser.Parsed(w, r.origin(metadata.get("name")));
    }

    private static Fields missing(Fields parent, String name) {
        parent.require(name, null);
        return null;
    }

    /** The spec fields of a kind, its own first; with the kind unknown, anything either kind takes. */
    static List<String> known(Kind kind) {
        List<String> own = kind == Kind.Container ? ContainerSpecParser.FIELDS
                : kind == Kind.VirtualMachine ? VmSpecParser.FIELDS
                : Stream.concat(ContainerSpecParser.FIELDS.stream(), VmSpecParser.FIELDS.stream()).toList();
        return Stream.concat(own.stream(), COMMON.stream()).toList();
    }

    private static Map<String, String> elsewhere(Kind kind) {
        if (kind == null) {
            return Map.of();
        }
        Kind other = kind == Kind.Container ? Kind.VirtualMachine : Kind.Container;
        List<String> fields = other == Kind.Container ? ContainerSpecParser.FIELDS : VmSpecParser.FIELDS;
        Map<String, String> out = fields.stream().collect(Collectors.toMap(f -> f, f -> "only valid for kind " + other));
        if (kind == Kind.VirtualMachine) {
            out.put("networks", "networks on a VirtualMachine are not supported yet (valid for kind Container; a VM keeps spec.network)");
            out.put(SecretsParser.FIELD, "secrets on a VirtualMachine are not supported yet (valid for kind Container; "
                    + "a VM gets files through spec.cloudInit.userData's write_files)");
        }
        return out;
    }

    private Placement placement(Fields spec) {
        Fields p = spec.mapping("placement", PLACEMENT);
        if (p == null) {
            return null;
        }
        String host = p.string("host");
        if (host != null && Syntax.hostname(host) != null) {
            r.error(p.get("host"), p.path("host"), Syntax.hostname(host));
        }
        Map<String, String> labels = labels(p, "labels");
        // An empty block selects every host, exactly like no block: normalise so both compare equal.
        return host == null && labels.isEmpty() ? null : new Placement(host, labels);
    }

    /** A label map: keys and values checked, sorted by key, never null. */
    Map<String, String> labels(Fields parent, String field) {
        Node node = parent.get(field);
        String path = parent.path(field);
        Map<String, NodeTuple> entries = node == null ? null : r.entries(node, path);
        if (entries == null) {
            return Collections.emptySortedMap();
        }
        SortedMap<String, String> labels = new TreeMap<>();
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            String key = e.getKey();
            String keyPath = key.matches("[A-Za-z0-9_-]+") ? path + "." + key : path + "[" + Messages.quote(key) + "]";
            String keyProblem = Syntax.labelKey(key);
            if (keyProblem != null) {
                r.error(e.getValue().getKeyNode(), keyPath, keyProblem);
            }
            Node valueNode = e.getValue().getValueNode();
            if (NodeReader.isNull(valueNode)) {
                r.error(e.getValue().getKeyNode(), keyPath, "label has no value (write \"\" for an empty value)");
                continue;
            }
            String value = r.string(valueNode, keyPath);
            if (value != null && Syntax.labelValue(value) != null) {
                r.error(valueNode, keyPath, Syntax.labelValue(value));
            } else if (value != null) {
                labels.put(key, value);
            }
        }
        return Collections.unmodifiableSortedMap(labels);
    }
}
