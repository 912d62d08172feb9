package io.berth.convert;

import io.berth.manifest.Syntax;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The list-valued parts of a service: {@code ports} (short and long form, equal ranges expanded),
 * named {@code volumes}, {@code networks} with aliases, and file {@code secrets} (when Berth has
 * them, see {@link BerthSupport}). Not thread-safe: one per conversion.
 */
final class ServiceParts {

    static final String BIND = "a bind mount: Berth mounts only named volumes; declare one under volumes: and copy the data into it";

    private final Nodes n;
    private final Project project;

    ServiceParts(Nodes nodes, Project project) {
        this.n = nodes;
        this.project = project;
    }

    void ports(Service s, Node value, String at) {
        List<Node> items = n.list(value, at);
        for (int i = 0; items != null && i < items.size(); i++) {
            Node item = items.get(i);
            String p = at + "[" + i + "]";
            if (item instanceof ScalarNode) {
                String text = n.text(item, p);
                if (text != null) {
                    shortPort(s, text, item, p);
                }
                continue;
            }
            String target = null;
            String published = null;
            String hostIp = null;
            String protocol = "tcp";
            for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(item, p).entrySet()) {
                Node v = e.getValue().getValueNode();
                String q = p + "." + e.getKey();
                switch (e.getKey()) {
                    case "target" -> target = n.text(v, q);
                    case "published" -> published = n.text(v, q);
                    case "host_ip" -> hostIp = n.text(v, q);
                    case "protocol" -> protocol = n.text(v, q);
                    case "mode" -> {
                        if (!"host".equals(n.text(v, q))) {
                            n.notCarried(v, q, "Berth publishes on this host only (mode: host)");
                        }
                    }
                    default -> n.notCarried(e.getValue().getKeyNode(), q, "Berth's ports have containerPort, hostPort, hostIP and protocol");
                }
            }
            if (target != null && protocol != null) {
                publish(s, hostIp, published, target, protocol, item, p);
            }
        }
    }

    /** {@code [[IP:]HOST:]CONTAINER[/PROTOCOL]}, an IPv6 address in brackets. */
    private void shortPort(Service s, String text, Node at, String p) {
        String rest = text;
        String protocol = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            protocol = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        String ip = null;
        if (rest.startsWith("[") && rest.indexOf("]:") > 0) {
            ip = rest.substring(1, rest.indexOf("]:"));
            rest = rest.substring(rest.indexOf("]:") + 2);
        }
        String[] parts = rest.split(":", -1);
        if (parts.length > 3 || ip != null && parts.length != 2) {
            n.notCarried(at, p, "\"" + text + "\" is not a port mapping (write an IPv6 address in brackets: \"[::1]:8080:80\")");
            return;
        }
        String host = parts.length >= 2 ? parts[parts.length - 2] : null;
        if (parts.length == 3) {
            ip = parts[0];
        }
        publish(s, ip, host, parts[parts.length - 1], protocol, at, p);
    }

    private void publish(Service s, String ip, String host, String container, String protocol, Node at, String p) {
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            n.notCarried(at, p, "protocol \"" + protocol + "\": Berth publishes tcp and udp");
            return;
        }
        if (host == null || host.isEmpty()) {
            n.notCarried(at, p, "a port published on a random host port: Berth publishes on a fixed hostPort; write HOST:" + container);
            return;
        }
        if (ip != null && !ip.isEmpty() && Syntax.ipLiteral(ip) != null) {
            n.notCarried(at, p, Syntax.ipLiteral(ip));
            return;
        }
        int[] hosts = range(host);
        int[] containers = range(container);
        if (hosts == null || containers == null || hosts[1] - hosts[0] != containers[1] - containers[0]) {
            n.notCarried(at, p, "\"" + (host + ":" + container) + "\": ports are 1 to 65535, and a host range must be as long as the container range");
            return;
        }
        for (int k = 0; k <= hosts[1] - hosts[0]; k++) {
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("containerPort", containers[0] + k);
            port.put("hostPort", hosts[0] + k);
            if (ip != null && !ip.isEmpty() && !ip.equals("0.0.0.0")) {
                port.put("hostIP", ip);
            }
            if (protocol.equals("udp")) {
                port.put("protocol", "udp");
            }
            s.ports.add(port);
        }
    }

    /** "80" → [80, 80], "8000-8010" → [8000, 8010]; null when not ports. */
    private static int[] range(String text) {
        String[] ends = text.split("-", -1);
        if (ends.length > 2 || !ends[0].matches("[0-9]{1,5}") || !ends[ends.length - 1].matches("[0-9]{1,5}")) {
            return null;
        }
        int a = Integer.parseInt(ends[0]);
        int b = Integer.parseInt(ends[ends.length - 1]);
        return a < 1 || b > 65535 || b < a ? null : new int[] {a, b};
    }

    void volumes(Service s, Node value, String at) {
        List<Node> items = n.list(value, at);
        for (int i = 0; items != null && i < items.size(); i++) {
            Node item = items.get(i);
            String p = at + "[" + i + "]";
            String source = null;
            String target = null;
            boolean readOnly = false;
            if (item instanceof ScalarNode) {
                String text = n.text(item, p);
                if (text == null) {
                    continue;
                }
                String[] parts = text.split(":", -1);
                if (parts.length == 1) {
                    n.notCarried(item, p, "an anonymous volume: Berth mounts named volumes; declare one under volumes: and name it here");
                    continue;
                }
                source = parts[0];
                target = parts[1];
                for (int k = 2; k < parts.length; k++) {
                    for (String option : parts[k].split(",")) {
                        readOnly |= option.equals("ro");
                        if (!option.equals("ro") && !option.equals("rw")) {
                            n.notCarried(item, p, "the mount option \"" + option + "\": Berth mounts read-only or read-write");
                        }
                    }
                }
            } else {
                String type = null;
                for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(item, p).entrySet()) {
                    Node v = e.getValue().getValueNode();
                    String q = p + "." + e.getKey();
                    switch (e.getKey()) {
                        case "type" -> type = n.text(v, q);
                        case "source" -> source = n.text(v, q);
                        case "target" -> target = n.text(v, q);
                        case "read_only" -> readOnly = Boolean.TRUE.equals(n.bool(v, q));
                        default -> n.notCarried(e.getValue().getKeyNode(), q, "Berth's volumes have a name, a mountPath and readOnly");
                    }
                }
                if (!"volume".equals(type)) {
                    n.notCarried(item, p, "bind".equals(type) ? BIND : "type " + type + ": Berth mounts only named volumes (type: volume)");
                    continue;
                }
            }
            if (source == null || target == null) {
                continue;
            }
            if (source.startsWith("/") || source.startsWith(".") || source.startsWith("~") || source.contains("/")) {
                n.notCarried(item, p, BIND);
            } else if (!project.volumes().containsKey(source)) {
                n.notCarried(item, p, "volume \"" + source + "\" is not declared under the top-level volumes:");
            } else if (Syntax.absolutePath(target) != null) {
                n.notCarried(item, p, Syntax.absolutePath(target));
            } else {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("name", project.volumes().get(source));
                v.put("mountPath", target);
                if (readOnly) {
                    v.put("readOnly", true);
                }
                s.volumes.add(v);
            }
        }
    }

    /** Always true: a service that names networks is not on the project's default network. */
    boolean networks(Service s, Node value, String at) {
        Map<String, Node> names = new LinkedHashMap<>();
        Map<String, Node> settings = new LinkedHashMap<>();
        if (value instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
            for (Node item : n.list(value, at)) {
                String name = n.text(item, at);
                if (name != null) {
                    names.put(name, item);
                }
            }
        } else {
            n.mapOrEmpty(value, at).forEach((k, t) -> {
                names.put(k, t.getKeyNode());
                settings.put(k, t.getValueNode());
            });
        }
        names.forEach((name, node) -> {
            String p = at + "." + name;
            String berth = project.networks().get(name);
            if (berth == null) {
                n.notCarried(node, p, "network \"" + name + "\" is not declared under the top-level networks:");
                return;
            }
            List<String> aliases = new ArrayList<>();
            for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(settings.get(name), p).entrySet()) {
                String q = p + "." + e.getKey();
                if (!e.getKey().equals("aliases")) {
                    n.notCarried(e.getValue().getKeyNode(), q, "Berth's networks have aliases only; addresses are Docker's to give");
                    continue;
                }
                List<String> written = n.strings(e.getValue().getValueNode(), q);
                for (String alias : written == null ? List.<String>of() : written) {
                    if (Syntax.workloadName(alias) != null) {
                        n.notCarried(e.getValue().getValueNode(), q, Syntax.workloadName(alias).replace("name", "alias"));
                    } else if (!alias.equals(s.name) && !aliases.contains(alias)) {
                        aliases.add(alias);
                    }
                }
            }
            s.networks.put(berth, aliases);
        });
        return true;
    }

    void secrets(Service s, Node keyNode, Node value, String at) {
        if (!BerthSupport.SECRETS) {
            n.notCarried(keyNode, at, BerthSupport.SECRETS_MISSING);
            return;
        }
        new Secrets(n, project).convert(s, value, at);
    }
}
