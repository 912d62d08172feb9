package io.berth.convert;

import io.berth.manifest.Origin;
import io.berth.manifest.Syntax;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Converts one Docker Compose file into Berth manifests: a {@code kind: Network} per project network
 * a service uses (the project's {@code default} network included, as {@code <project>-default}, so
 * services without {@code networks:} still reach each other by name) and a {@code kind: Container}
 * per service, named after it. Every key Berth cannot carry is a {@link Finding} at its file:line:col;
 * defaults chosen (limits) are warnings. YAML that cannot be read, or a file without services, is a
 * {@link ComposeException}. Pure and thread-safe; converting the same text twice gives equal results.
 */
public final class ComposeConverter {

    /** One manifest: the file name {@code -o} writes it to, and its YAML. */
    public record Document(String fileName, String yaml) {
    }

    /** The manifests, in apply order (networks first), and every finding in position order. */
    public record Conversion(List<Document> documents, List<Finding> findings) {
        public Conversion {
            documents = List.copyOf(documents);
            findings = findings.stream().sorted(Finding.BY_POSITION).toList();
        }

        /** True when every key was carried (warnings allowed): {@code agent convert} exits 0. */
        public boolean complete() {
            return findings.stream().noneMatch(Finding::notCarried);
        }

        /** All documents as one YAML stream, separated by {@code ---}. */
        public String text() {
            return String.join("---\n", documents.stream().map(Document::yaml).toList());
        }
    }

    private static final Set<String> TOP_LEVEL = Set.of("name", "version", "services", "networks", "volumes", "secrets");

    private ComposeConverter() {
    }

    /** @param projectName the Compose project name, or null for the file's {@code name:} or else its directory's name */
    public static Conversion convert(Path file, String text, String projectName) {
        Node root = compose(file, text);
        List<Finding> findings = new ArrayList<>();
        Nodes n = new Nodes(file, findings);
        if (!(root instanceof MappingNode)) {
            throw new ComposeException(root == null ? Origin.unknown(file) : n.at(root), "not a Compose file (expected a mapping with services:)");
        }
        Map<String, NodeTuple> top = n.map(root, "");
        NodeTuple services = top.get("services");
        if (services == null || !(services.getValueNode() instanceof MappingNode)) {
            throw new ComposeException(services == null ? n.at(root) : n.at(services.getValueNode()),
                    "not a Compose file: services: must be a mapping with one entry per service");
        }
        top.forEach((key, t) -> {
            if (!TOP_LEVEL.contains(key) && !key.startsWith("x-")) {
                n.notCarried(t.getKeyNode(), key, key.equals("configs") ? ServiceConverter.NOT_CARRIED.get("configs") : "Berth has no equivalent");
            }
        });
        String composeName = composeName(projectName != null ? projectName
                : top.containsKey("name") ? n.text(top.get("name").getValueNode(), "name") : directoryName(file));
        String label = Words.label(composeName).isEmpty() ? "compose" : Words.label(composeName);

        Map<String, NodeTuple> serviceEntries = n.map(services.getValueNode(), "services");
        Map<String, String> names = serviceNames(n, serviceEntries);
        Map<String, Map<String, Object>> networkDocs = new LinkedHashMap<>();
        Map<String, String> networks = new TopLevel(n).networks(top.get("networks"), label, networkDocs);
        Map<String, String> volumes = new TopLevel(n).volumes(top.get("volumes"), composeName);
        Map<String, String> secrets = new TopLevel(n).secrets(top.get("secrets"), file);
        Project project = new Project(composeName, label, file.toAbsolutePath().getParent(), networks, volumes, secrets, names);

        ServiceConverter converter = new ServiceConverter(n, project);
        List<Service> converted = new ArrayList<>();
        serviceEntries.forEach((name, entry) -> {
            if (names.containsKey(name)) {
                converted.add(converter.convert(name, entry));
            }
        });
        checkDependencies(n, converted);

        Set<String> used = new LinkedHashSet<>();
        converted.forEach(s -> used.addAll(s.networks.keySet()));
        String source = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        List<Document> docs = new ArrayList<>();
        networkDocs.forEach((name, doc) -> {
            if (used.contains(name)) {
                docs.add(new Document("network-" + name + ".yaml", header(source, "networks", doc) + ManifestWriter.write(doc)));
            }
        });
        for (Service s : converted) {
            docs.add(new Document(s.name + ".yaml", "# agent convert: " + source + ", services." + s.composeName + "\n"
                    + ManifestWriter.write(s.document())));
        }
        return new Conversion(docs, findings);
    }

    private static String header(String source, String what, Map<String, Object> doc) {
        Object from = doc.remove("x-from");
        return "# agent convert: " + source + ", " + what + "." + from + "\n";
    }

    /** Berth workload names for the services: DNS labels, each once; a service whose name cannot be one is reported. */
    private static Map<String, String> serviceNames(Nodes n, Map<String, NodeTuple> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> taken = new LinkedHashMap<>();
        entries.forEach((name, t) -> {
            String label = Words.label(name);
            String path = "services." + name;
            if (label.isEmpty() || Syntax.workloadName(label) != null) {
                n.notCarried(t.getKeyNode(), path, "the name \"" + name + "\" cannot be a Berth name (a DNS label)");
            } else if (taken.containsKey(label)) {
                n.notCarried(t.getKeyNode(), path, "the name \"" + name + "\" becomes \"" + label + "\", like service \"" + taken.get(label) + "\"");
            } else {
                if (!label.equals(name)) {
                    n.warn(t.getKeyNode(), path, "named \"" + label + "\" (Berth names are DNS labels); other services reach it by that name");
                }
                taken.put(label, name);
                out.put(name, label);
            }
        });
        return out;
    }

    /** A dependency on health or completion that the converted dependency cannot reach is reported and waits for its start. */
    private static void checkDependencies(Nodes n, List<Service> services) {
        Map<String, Service> byName = new LinkedHashMap<>();
        services.forEach(s -> byName.put(s.name, s));
        for (Service s : services) {
            for (Service.Dependency d : s.dependsOn) {
                Service target = byName.get(d.name);
                if (d.condition.equals("healthy") && target.healthCheck == null) {
                    n.notCarried(d.at, d.path, "service_healthy, but " + target.composeName
                            + " has no health check Berth can run; it waits for the start instead");
                    d.condition = "started";
                } else if (d.condition.equals("completed") && target.restartPolicy.equals("Always")) {
                    n.notCarried(d.at, d.path, "service_completed_successfully, but " + target.composeName
                            + " restarts always and never completes; it waits for the start instead");
                    d.condition = "started";
                }
            }
        }
    }

    /** Compose's own normalisation of a project name: lower case, letters, digits, '_' and '-'. */
    static String composeName(String raw) {
        String s = raw == null ? "" : raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "").replaceAll("^[_-]+", "");
        return s.isEmpty() ? "compose" : s;
    }

    private static String directoryName(Path file) {
        Path dir = file.toAbsolutePath().normalize().getParent();
        return dir == null || dir.getFileName() == null ? "compose" : dir.getFileName().toString();
    }

    /** The single document's root node, or null for an empty file. */
    private static Node compose(Path file, String text) {
        LoaderOptions o = new LoaderOptions();
        o.setMaxAliasesForCollections(50);
        o.setNestingDepthLimit(50);
        o.setCodePointLimit(4 * 1024 * 1024);
        o.setAllowRecursiveKeys(false);
        o.setMergeOnCompose(true); // Compose files share settings with anchors and <<: merges
        ParserImpl parser = new ParserImpl(new StreamReader(new StringReader(text)), o);
        Composer composer = new Composer(parser, new Resolver(), o);
        try {
            return composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            Origin at = m == null ? Origin.unknown(file) : new Origin(file, m.getLine() + 1, m.getColumn() + 1);
            throw new ComposeException(at, "invalid YAML: " + (e.getProblem() == null ? e.getMessage() : e.getProblem().strip()));
        } catch (YAMLException e) {
            throw new ComposeException(Origin.unknown(file), "invalid YAML: " + e.getMessage());
        }
    }
}
