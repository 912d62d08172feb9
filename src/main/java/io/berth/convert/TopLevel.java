package io.berth.convert;

import io.berth.convert.ManifestWriter.Flow;
import io.berth.manifest.Cidr;
import io.berth.manifest.Syntax;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * The project-wide parts of a Compose file: {@code networks} (as {@code kind: Network} documents named
 * {@code <project>-<key>}, or their {@code name:}), {@code volumes} (the Docker volume names Compose
 * gives them, {@code <project>_<key>}, so a converted stack keeps the data the Compose one wrote) and
 * file {@code secrets}. Not thread-safe: one per conversion.
 */
final class TopLevel {

    private final Nodes n;

    TopLevel(Nodes nodes) {
        this.n = nodes;
    }

    /** Compose key to Berth network name; each network's document into {@code docs}, by that name. */
    Map<String, String> networks(NodeTuple entry, String project, Map<String, Map<String, Object>> docs) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, NodeTuple> declared = entry == null ? Map.of() : n.mapOrEmpty(entry.getValueNode(), "networks");
        if (!declared.containsKey(Project.DEFAULT_NETWORK)) {
            String name = project + "-" + Project.DEFAULT_NETWORK;
            out.put(Project.DEFAULT_NETWORK, name);
            docs.put(name, document(name, Project.DEFAULT_NETWORK + " (Compose's implicit one)", new LinkedHashMap<>()));
        }
        declared.forEach((key, t) -> {
            String path = "networks." + key;
            Map<String, NodeTuple> fields = n.mapOrEmpty(t.getValueNode(), path);
            String name = Words.label(fields.containsKey("name") ? String.valueOf(n.text(fields.get("name").getValueNode(), path + ".name"))
                    : project + "-" + key);
            if (Syntax.workloadName(name) != null) {
                n.notCarried(t.getKeyNode(), path, Syntax.workloadName(name));
                return;
            }
            Map<String, Object> spec = new LinkedHashMap<>();
            boolean ok = true;
            for (Map.Entry<String, NodeTuple> e : fields.entrySet()) {
                String p = path + "." + e.getKey();
                Node v = e.getValue().getValueNode();
                switch (e.getKey()) {
                    case "name" -> {
                    }
                    case "internal" -> {
                        if (Boolean.TRUE.equals(n.bool(v, p))) {
                            spec.put("internal", true);
                        }
                    }
                    case "driver" -> {
                        String d = n.text(v, p);
                        if (d != null && !d.equals("bridge")) {
                            n.notCarried(v, p, "driver " + d + ": Berth networks are Docker bridge networks");
                        }
                    }
                    case "ipam" -> subnet(v, p, spec);
                    case "external" -> {
                        if (Boolean.TRUE.equals(n.bool(v, p))) {
                            n.notCarried(v, p, "an external network: Berth joins only its own networks; declare it without external");
                            ok = false;
                        }
                    }
                    default -> n.notCarried(e.getValue().getKeyNode(), p, "Berth's networks have a subnet and internal only");
                }
            }
            if (ok) {
                out.put(key, name);
                docs.put(name, document(name, key, spec));
            }
        });
        return out;
    }

    private void subnet(Node ipam, String path, Map<String, Object> spec) {
        for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(ipam, path).entrySet()) {
            String p = path + "." + e.getKey();
            Node v = e.getValue().getValueNode();
            if (e.getKey().equals("driver") && "default".equals(n.text(v, p))) {
                continue;
            }
            if (!e.getKey().equals("config")) {
                n.notCarried(e.getValue().getKeyNode(), p, "Berth takes only a subnet from ipam.config");
                continue;
            }
            List<Node> configs = n.list(v, p);
            for (int i = 0; configs != null && i < configs.size(); i++) {
                String c = p + "[" + i + "]";
                for (Map.Entry<String, NodeTuple> f : n.mapOrEmpty(configs.get(i), c).entrySet()) {
                    String q = c + "." + f.getKey();
                    String subnet = f.getKey().equals("subnet") && i == 0 ? n.text(f.getValue().getValueNode(), q) : null;
                    if (subnet == null) {
                        n.notCarried(f.getValue().getKeyNode(), q, "Berth takes one subnet per network, and no gateway or ranges");
                        continue;
                    }
                    try {
                        Cidr.parse(subnet);
                        spec.put("subnet", subnet);
                    } catch (IllegalArgumentException bad) {
                        n.notCarried(f.getValue().getValueNode(), q, bad.getMessage());
                    }
                }
            }
        }
    }

    private static Map<String, Object> document(String name, String from, Map<String, Object> spec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("x-from", from);
        doc.put("apiVersion", "berth.io/v1");
        doc.put("kind", "Network");
        doc.put("metadata", new LinkedHashMap<>(Map.of("name", name)));
        Map<String, Object> ordered = new LinkedHashMap<>(); // the manifest format's order
        for (String k : List.of("subnet", "internal")) {
            if (spec.containsKey(k)) {
                ordered.put(k, spec.get(k));
            }
        }
        doc.put("spec", new Flow(ordered));
        return doc;
    }

    /** Compose key to the Docker volume name: its {@code name:}, or {@code <project>_<key>} as Compose makes it. */
    Map<String, String> volumes(NodeTuple entry, String project) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, NodeTuple> declared = entry == null ? Map.of() : n.mapOrEmpty(entry.getValueNode(), "volumes");
        declared.forEach((key, t) -> {
            String path = "volumes." + key;
            String name = null;
            boolean external = false;
            for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(t.getValueNode(), path).entrySet()) {
                String p = path + "." + e.getKey();
                Node v = e.getValue().getValueNode();
                switch (e.getKey()) {
                    case "name" -> name = n.text(v, p);
                    case "external" -> external = Boolean.TRUE.equals(n.bool(v, p));
                    case "driver" -> {
                        String d = n.text(v, p);
                        if (d != null && !d.equals("local")) {
                            n.notCarried(v, p, "driver " + d + ": Berth's volumes are local Docker volumes");
                        }
                    }
                    default -> n.notCarried(e.getValue().getKeyNode(), p, "Berth's volumes are plain local Docker volumes");
                }
            }
            String docker = name != null ? name : external ? key : project + "_" + key;
            if (Syntax.volumeName(docker) != null) {
                n.notCarried(t.getKeyNode(), path, Syntax.volumeName(docker));
            } else {
                out.put(key, docker);
            }
        });
        return out;
    }

    /** Compose key to the secret's file, absolute; other kinds of secrets are reported. */
    Map<String, String> secrets(NodeTuple entry, Path composeFile) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, NodeTuple> declared = entry == null ? Map.of() : n.mapOrEmpty(entry.getValueNode(), "secrets");
        Path dir = composeFile.toAbsolutePath().normalize().getParent();
        declared.forEach((key, t) -> n.mapOrEmpty(t.getValueNode(), "secrets." + key).forEach((k, f) -> {
            String p = "secrets." + key + "." + k;
            if (!k.equals("file")) {
                n.notCarried(f.getKeyNode(), p, "Berth's secrets are files; write the value to a file and use file:");
                return;
            }
            String file = n.text(f.getValueNode(), p);
            if (file != null) {
                out.put(key, dir.resolve(file).normalize().toString());
            }
        }));
        return out;
    }
}
