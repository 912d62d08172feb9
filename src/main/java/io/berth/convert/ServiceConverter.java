package io.berth.convert;

import io.berth.manifest.Syntax;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Converts one Compose service into a {@link Service}: each key it knows is carried (ports,
 * volumes, resources and the health check by their own parts), every other key reported as not
 * carried at its position with what to do instead. Not thread-safe: one per conversion.
 */
final class ServiceConverter {

    /** Keys Berth cannot carry, with what to do instead; any key not here and not carried gets a generic reason. */
    static final Map<String, String> NOT_CARRIED = Map.ofEntries(
            Map.entry("build", "Berth runs images; build it and set image:"),
            Map.entry("env_file", "write the variables under environment:"),
            Map.entry("container_name", "Berth names the container berth-<service>"),
            Map.entry("hostname", "a container is reachable by its workload name"),
            Map.entry("labels", "copy the ones you need to metadata.labels"),
            Map.entry("privileged", "set securityContext.privileged yourself; Berth refuses it unless the host allows it"),
            Map.entry("cap_add", "Berth sets no capabilities"),
            Map.entry("cap_drop", "Berth sets no capabilities"),
            Map.entry("devices", "Berth passes no devices"),
            Map.entry("network_mode", "Berth containers are on Berth networks (spec.networks) or Docker's default bridge"),
            Map.entry("links", "containers on a shared network reach each other by name"),
            Map.entry("external_links", "containers on a shared network reach each other by name"),
            Map.entry("extends", "write the service out in full"),
            Map.entry("profiles", "Berth has no profiles; leave out the services you do not want"),
            Map.entry("configs", "Berth has no configs; use a named volume or put the file in the image"),
            Map.entry("working_dir", "set the directory in the image or the command"),
            Map.entry("stop_grace_period", "Berth stops with its own grace period (--grace-period)"),
            Map.entry("logging", "Berth leaves logging to the Docker daemon's defaults"),
            Map.entry("extra_hosts", "Berth writes no /etc/hosts entries"),
            Map.entry("dns", "Berth containers use Docker's DNS"),
            Map.entry("tmpfs", "Berth mounts only named volumes"),
            Map.entry("ulimits", "Berth limits processes with resources.limits.pids"),
            Map.entry("security_opt", "Berth sets no security options"));

    private final Nodes n;
    private final Project project;
    private final ServiceParts parts;

    ServiceConverter(Nodes nodes, Project project) {
        this.n = nodes;
        this.project = project;
        this.parts = new ServiceParts(nodes, project);
    }

    Service convert(String composeName, NodeTuple entry) {
        String path = "services." + composeName;
        Service s = new Service(composeName, project.services().get(composeName), entry.getKeyNode());
        Map<String, NodeTuple> keys = n.mapOrEmpty(entry.getValueNode(), path);
        Limits limits = new Limits(n, path);
        boolean onNetworks = false;
        for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
            String key = e.getKey();
            Node value = e.getValue().getValueNode();
            Node keyNode = e.getValue().getKeyNode();
            String at = path + "." + key;
            switch (key) {
                case "image" -> image(s, value, at);
                case "pull_policy" -> pullPolicy(s, value, at);
                case "command" -> s.args = command(value, at);
                case "entrypoint" -> s.command = command(value, at);
                case "environment" -> environment(s, value, at);
                case "ports" -> parts.ports(s, value, at);
                case "expose" -> n.warn(keyNode, at, "ignored: containers on a shared network reach every port; Berth publishes only ports:");
                case "volumes" -> parts.volumes(s, value, at);
                case "networks" -> onNetworks = parts.networks(s, value, at);
                case "depends_on" -> dependsOn(s, value, at);
                case "healthcheck" -> s.healthCheck = new HealthChecks(n).convert(value, at);
                case "restart" -> restart(s, value, at);
                case "user" -> user(s, value, at);
                case "read_only" -> s.readOnly = Boolean.TRUE.equals(n.bool(value, at));
                case "secrets" -> parts.secrets(s, keyNode, value, at);
                case "deploy", "cpus", "mem_limit", "mem_reservation", "pids_limit" -> limits.read(key, value, at);
                case "build" -> {
                    // reported below, once the image is known
                }
                case "network_mode" -> {
                    onNetworks = true; // not on the project's default network either
                    n.notCarried(keyNode, at, NOT_CARRIED.get(key));
                }
                default -> {
                    if (!key.startsWith("x-")) {
                        n.notCarried(keyNode, at, NOT_CARRIED.getOrDefault(key, "Berth has no equivalent"));
                    }
                }
            }
        }
        if (keys.containsKey("build") && s.image == null) {
            // Compose names the image it builds <project>-<service>: what `docker compose build` leaves on the host.
            s.image = project.composeName() + "-" + composeName.toLowerCase(java.util.Locale.ROOT);
            n.notCarried(keys.get("build").getKeyNode(), path + ".build", NOT_CARRIED.get("build")
                    + "; until then the manifest runs " + s.image + ", the image docker compose build makes");
        } else if (keys.containsKey("build")) {
            n.notCarried(keys.get("build").getKeyNode(), path + ".build", NOT_CARRIED.get("build"));
        } else if (s.image == null) {
            n.notCarried(entry.getKeyNode(), path, "no image: Berth runs images; set image:");
            s.image = "missing-image";
        }
        if (!onNetworks) {
            s.networks.put(project.networks().get(Project.DEFAULT_NETWORK), List.of());
        }
        limits.applyTo(s, entry.getKeyNode());
        return s;
    }

    private void image(Service s, Node value, String at) {
        String image = n.text(value, at);
        if (image != null && Syntax.imageReference(image) != null) {
            n.notCarried(value, at, Syntax.imageReference(image));
        } else if (image != null) {
            s.image = image;
        }
    }

    private void pullPolicy(Service s, Node value, String at) {
        String p = n.text(value, at);
        if (p == null) {
            return;
        }
        switch (p) {
            case "always" -> s.pullPolicy = "Always";
            case "never" -> s.pullPolicy = "Never";
            case "missing", "if_not_present" -> s.pullPolicy = null; // Berth's default, IfNotPresent
            default -> n.notCarried(value, at, "\"" + p + "\": Berth pulls always, never or if not present");
        }
    }

    private List<String> command(Node value, String at) {
        if (Nodes.isNull(value)) {
            return null;
        }
        if (value instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            return n.strings(value, at);
        }
        String line = n.text(value, at);
        try {
            return line == null ? null : Words.split(line);
        } catch (IllegalArgumentException e) {
            n.notCarried(value, at, e.getMessage());
            return null;
        }
    }

    private void environment(Service s, Node value, String at) {
        record Var(String name, String value, Node at) {
        }
        List<Var> vars = new ArrayList<>();
        if (value instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            List<Node> items = n.list(value, at);
            for (int i = 0; i < items.size(); i++) {
                String item = n.text(items.get(i), at + "[" + i + "]");
                int eq = item == null ? -1 : item.indexOf('=');
                if (item != null) {
                    vars.add(new Var(eq < 0 ? item : item.substring(0, eq), eq < 0 ? null : item.substring(eq + 1), items.get(i)));
                }
            }
        } else {
            n.mapOrEmpty(value, at).forEach((k, t) -> {
                Node v = t.getValueNode();
                String text = Nodes.isNull(v) ? null : n.text(v, at + "." + k);
                if (Nodes.isNull(v) || text != null) {
                    vars.add(new Var(k, text, t.getKeyNode()));
                }
            });
        }
        for (Var v : vars) {
            String p = at + "." + v.name();
            if (Syntax.envName(v.name()) != null) {
                n.notCarried(v.at(), p, Syntax.envName(v.name()));
            } else if (v.value() == null) {
                n.notCarried(v.at(), p, "no value: Compose takes it from the shell running it; write the value");
            } else {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", v.name());
                e.put("value", v.value());
                s.env.add(e);
            }
        }
    }

    private void dependsOn(Service s, Node value, String at) {
        Map<String, Node> deps = new LinkedHashMap<>();
        Map<String, String> conditions = new LinkedHashMap<>();
        if (value instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            for (Node item : n.list(value, at)) {
                String name = n.text(item, at);
                if (name != null) {
                    deps.put(name, item);
                    conditions.put(name, "started");
                }
            }
        } else {
            n.mapOrEmpty(value, at).forEach((name, t) -> {
                String p = at + "." + name;
                deps.put(name, t.getKeyNode());
                conditions.put(name, "started");
                n.mapOrEmpty(t.getValueNode(), p).forEach((k, c) -> {
                    String text = k.equals("condition") || k.equals("required") || k.equals("restart") ? n.text(c.getValueNode(), p + "." + k) : null;
                    switch (k) {
                        case "condition" -> {
                            String cond = text == null ? null : switch (text) {
                                case "service_started" -> "started";
                                case "service_healthy" -> "healthy";
                                case "service_completed_successfully" -> "completed";
                                default -> null;
                            };
                            if (cond == null && text != null) {
                                n.notCarried(c.getValueNode(), p + ".condition", "\"" + text + "\" is not a Compose condition");
                            } else if (cond != null) {
                                conditions.put(name, cond);
                            }
                        }
                        case "required" -> {
                            if (!"true".equals(text)) {
                                n.notCarried(c.getValueNode(), p + ".required", "Berth always waits for a dependency");
                            }
                        }
                        case "restart" -> {
                            if (!"false".equals(text)) {
                                n.notCarried(c.getValueNode(), p + ".restart", "Berth does not restart a dependant with its dependency");
                            }
                        }
                        default -> n.notCarried(c.getKeyNode(), p + "." + k, "Berth has no equivalent");
                    }
                });
            });
        }
        deps.forEach((name, node) -> {
            String target = project.services().get(name);
            if (target == null) {
                n.notCarried(node, at, "\"" + name + "\" is not a service of this file");
            } else {
                s.dependsOn.add(new Service.Dependency(target, conditions.get(name), node, at + "." + name));
            }
        });
    }

    private void restart(Service s, Node value, String at) {
        String r = n.text(value, at);
        if (r == null) {
            return;
        }
        if (r.startsWith("on-failure:")) {
            n.notCarried(value, at, "the retry count: Berth retries with a back-off, without a limit");
            r = "on-failure";
        }
        switch (r) {
            case "no" -> s.restartPolicy = "Never";
            case "always", "unless-stopped" -> s.restartPolicy = "Always";
            case "on-failure" -> s.restartPolicy = "OnFailure";
            default -> n.notCarried(value, at, "\"" + r + "\" (valid in Compose: no, always, on-failure, unless-stopped)");
        }
    }

    private void user(Service s, Node value, String at) {
        String u = n.text(value, at);
        if (u != null && Syntax.user(u) != null) {
            n.notCarried(value, at, Syntax.user(u));
        } else if (u != null) {
            s.user = u;
        }
    }
}
