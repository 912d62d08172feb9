package io.berth.manifest;

import io.berth.manifest.ContainerSpec.NetworkAttachment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a {@code kind: Network} document and a workload's {@code spec.networks} list (CONTRACT
 * §6.3), with errors at file:line:col. Whether the networks a workload names exist is checked
 * across the whole load ({@link ManifestLoader}). Not thread-safe: one per parse.
 */
final class NetworkParser {

    static final String KIND = "Network";
    static final List<String> METADATA = List.of("name");
    static final List<String> SPEC = List.of("subnet", "internal");
    static final List<String> ATTACHMENT = List.of("name", "aliases");

    private final NodeReader r;

    NetworkParser(NodeReader reader) {
        this.r = reader;
    }

    /** The network of a document whose kind is Network, or null when it has any error (all recorded). */
    NetworkManifest parse(Fields doc, Node root) {
        int before = r.errorCount();
        Fields metadata = doc.has("metadata") ? r.fields(doc.get("metadata"), "metadata", METADATA) : null;
        if (!doc.has("metadata")) {
            doc.require("metadata", null);
        }
        String name = metadata == null ? null : metadata.requiredString("name", null);
        String problem = name == null ? null : Syntax.workloadName(name);
        if (problem != null) {
            r.error(metadata.get("name"), "metadata.name", problem);
        }
        Cidr subnet = null;
        boolean internal = false;
        Node specNode = doc.require("spec", "write spec: {} for an allocated subnet with a route out");
        Fields spec = specNode == null ? null : r.fields(specNode, "spec", SPEC);
        if (spec != null) {
            String text = spec.string("subnet");
            if (text != null) {
                try {
                    subnet = Cidr.parse(text);
                } catch (IllegalArgumentException e) {
                    r.error(spec.get("subnet"), spec.path("subnet"), e.getMessage());
                }
            }
            internal = spec.bool("internal", false);
        }
        r.takePositions();
        if (r.errorCount() > before || name == null) {
            return null;
        }
        return new NetworkManifest(name, subnet, internal, r.origin(root), r.origin(metadata.get("name")));
    }

    /**
     * {@code spec.networks}: each {@code {name, aliases}} once, aliases DNS labels; empty when absent.
     * Where each name is written stays in the workload's positions ({@code spec.networks[0].name}).
     */
    List<NetworkAttachment> attachments(Fields spec) {
        List<NetworkAttachment> out = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        List<Node> items = spec.sequence("networks");
        for (int i = 0; items != null && i < items.size(); i++) {
            Fields n = r.fields(items.get(i), spec.path("networks") + "[" + i + "]", ATTACHMENT);
            if (n == null) {
                continue;
            }
            String name = n.requiredString("name", "the name of a kind: Network, like \"backend\"");
            if (name != null && Syntax.workloadName(name) != null) {
                r.error(n.get("name"), n.path("name"), Syntax.workloadName(name));
                name = null;
            } else if (name != null && seen.containsKey(name)) {
                r.error(n.get("name"), n.path("name"), "network " + Messages.quote(name) + " is listed twice (first at line "
                        + r.origin(seen.get(name)).line() + "; valid: each network once, with all its aliases)");
                name = null;
            } else if (name != null) {
                seen.put(name, n.get("name"));
            }
            Set<String> aliases = new LinkedHashSet<>();
            List<Node> aliasNodes = n.sequence("aliases");
            for (int j = 0; aliasNodes != null && j < aliasNodes.size(); j++) {
                String path = n.path("aliases") + "[" + j + "]";
                String alias = r.string(aliasNodes.get(j), path);
                String bad = alias == null ? null : Syntax.workloadName(alias);
                if (bad != null) {
                    r.error(aliasNodes.get(j), path, bad.replace("name", "alias"));
                } else if (alias != null && !aliases.add(alias)) {
                    r.error(aliasNodes.get(j), path, "alias " + Messages.quote(alias) + " is listed twice");
                }
            }
            if (name != null) {
                out.add(new NetworkAttachment(name, List.copyOf(aliases)));
            }
        }
        return List.copyOf(out);
    }
}
