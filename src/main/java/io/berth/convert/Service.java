package io.berth.convert;

import io.berth.convert.ManifestWriter.Flow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * One Compose service on its way to a {@code kind: Container} manifest: the fields carried so far,
 * filled by {@link ServiceConverter} and its parts, then written in the order of the manifest
 * format. Mutable; one per service.
 */
final class Service {

    /** A dependsOn entry, with where Compose wrote it so a later check can still report it. */
    static final class Dependency {
        final String name;
        String condition;
        final Node at;
        final String path;

        Dependency(String name, String condition, Node at, String path) {
            this.name = name;
            this.condition = condition;
            this.at = at;
            this.path = path;
        }
    }

    final String composeName;
    final String name;
    final Node node;
    String image;
    String pullPolicy;
    List<String> command;
    List<String> args;
    final List<Map<String, Object>> env = new ArrayList<>();
    final List<Map<String, Object>> ports = new ArrayList<>();
    final List<Map<String, Object>> volumes = new ArrayList<>();
    String restartPolicy = "Never";
    Map<String, Object> healthCheck;
    String user;
    boolean readOnly;
    final Map<String, List<String>> networks = new LinkedHashMap<>();
    final List<Dependency> dependsOn = new ArrayList<>();
    final List<Map<String, Object>> secrets = new ArrayList<>();
    final Map<String, Object> limits = new LinkedHashMap<>();
    final Map<String, Object> requests = new LinkedHashMap<>();

    Service(String composeName, String name, Node node) {
        this.composeName = composeName;
        this.name = name;
        this.node = node;
    }

    Map<String, Object> document() {
        Map<String, Object> spec = new LinkedHashMap<>();
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("limits", new Flow(limits));
        if (!requests.isEmpty()) {
            resources.put("requests", new Flow(requests));
        }
        spec.put("resources", resources);
        spec.put("image", image);
        putIf(spec, "imagePullPolicy", pullPolicy);
        putIf(spec, "command", command);
        putIf(spec, "args", args);
        putIf(spec, "env", env);
        putIf(spec, "ports", ports);
        putIf(spec, "volumes", volumes);
        spec.put("restartPolicy", restartPolicy);
        putIf(spec, "healthCheck", healthCheck);
        if (user != null || readOnly) {
            Map<String, Object> sc = new LinkedHashMap<>();
            putIf(sc, "user", user);
            if (readOnly) {
                sc.put("readOnlyRootFilesystem", true);
            }
            spec.put("securityContext", new Flow(sc));
        }
        List<Map<String, Object>> nets = new ArrayList<>();
        networks.forEach((n, aliases) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n);
            if (!aliases.isEmpty()) {
                m.put("aliases", aliases);
            }
            nets.add(m);
        });
        putIf(spec, "networks", nets);
        List<Map<String, Object>> deps = new ArrayList<>();
        for (Dependency d : dependsOn) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name);
            m.put("condition", d.condition);
            deps.add(m);
        }
        putIf(spec, "dependsOn", deps);
        putIf(spec, "secrets", secrets);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "berth.io/v1");
        doc.put("kind", "Container");
        doc.put("metadata", new LinkedHashMap<>(Map.of("name", name)));
        doc.put("spec", spec);
        return doc;
    }

    private static void putIf(Map<String, Object> map, String key, Object value) {
        if (value != null && !(value instanceof List<?> l && l.isEmpty())) {
            map.put(key, value);
        }
    }
}
