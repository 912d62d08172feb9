package io.berth.convert;

import io.berth.manifest.Syntax;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A service's file secrets as {@code spec.secrets: [{name, file, mountPath, mode}]}: mounted where
 * Compose mounts them ({@code /run/secrets/<target or name>}), the file made absolute against the
 * Compose file's directory. Used only when {@link BerthSupport#SECRETS} says Berth has them.
 */
final class Secrets {

    private final Nodes n;
    private final Project project;

    Secrets(Nodes nodes, Project project) {
        this.n = nodes;
        this.project = project;
    }

    void convert(Service s, Node value, String at) {
        List<Node> items = n.list(value, at);
        for (int i = 0; items != null && i < items.size(); i++) {
            Node item = items.get(i);
            String p = at + "[" + i + "]";
            String source = null;
            String target = null;
            String mode = null;
            if (item instanceof ScalarNode) {
                source = n.text(item, p);
            } else {
                for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(item, p).entrySet()) {
                    Node v = e.getValue().getValueNode();
                    String q = p + "." + e.getKey();
                    switch (e.getKey()) {
                        case "source" -> source = n.text(v, q);
                        case "target" -> target = n.text(v, q);
                        case "mode" -> mode = mode(v, q);
                        default -> n.notCarried(e.getValue().getKeyNode(), q, "Berth's secrets have a file, a mountPath and a mode");
                    }
                }
            }
            String file = source == null ? null : project.secrets().get(source);
            if (source != null && file == null) {
                n.notCarried(item, p, "secret \"" + source + "\" is not a file secret under the top-level secrets:");
                continue;
            }
            String name = source == null ? "" : Words.label(source);
            if (file == null || Syntax.workloadName(name) != null) {
                continue;
            }
            String mountPath = target == null ? "/run/secrets/" + source : target.startsWith("/") ? target : "/run/secrets/" + target;
            Map<String, Object> secret = new LinkedHashMap<>();
            secret.put("name", name);
            secret.put("file", file);
            secret.put("mountPath", mountPath);
            if (mode != null) {
                secret.put("mode", mode);
            }
            s.secrets.add(secret);
        }
    }

    /** Compose writes modes in octal (0440) or decimal (288); Berth takes the octal text. */
    private String mode(Node v, String q) {
        String text = n.text(v, q);
        if (text == null) {
            return null;
        }
        if (text.matches("0[0-7]{3}")) {
            return text;
        }
        if (text.matches("[0-9]{1,3}") && Integer.parseInt(text) <= 0777) {
            return String.format("%04o", Integer.parseInt(text));
        }
        n.notCarried(v, q, "\"" + text + "\" is not a file mode (like 0440)");
        return null;
    }
}
