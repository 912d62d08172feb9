package io.berth.convert;

import io.berth.manifest.Origin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reading of a composed Compose node tree that records, rather than throws, what it cannot
 * carry as a {@link Finding} at the node's position. Scalars are read as their source text (so
 * {@code no} stays "no"), with Compose's {@code $$} escape undone; a value that needs variable
 * interpolation is reported, since Berth reads no {@code .env} and no environment. Accessors return
 * null after reporting. Not thread-safe: one per conversion.
 */
final class Nodes {

    private final Path file;
    private final List<Finding> findings;

    Nodes(Path file, List<Finding> findings) {
        this.file = file;
        this.findings = findings;
    }

    Path file() {
        return file;
    }

    Origin at(Node node) {
        Mark m = node.getStartMark();
        return m == null ? Origin.unknown(file) : new Origin(file, m.getLine() + 1, m.getColumn() + 1);
    }

    void notCarried(Node at, String path, String why) {
        findings.add(new Finding(at(at), path, why, true));
    }

    void warn(Node at, String path, String message) {
        findings.add(new Finding(at(at), path, message, false));
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static boolean isNull(Node node) {
        return node == null || node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /** The entries of a mapping by key, in document order; null (reported) when it is not one. */
    Map<String, NodeTuple> map(Node node, String path) {
        if (!(node instanceof MappingNode m)) {
            notCarried(node, path, "expected a mapping, got " + describe(node));
            return null;
        }
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && !out.containsKey(k.getValue())) {
                out.put(k.getValue(), t);
            } else {
                notCarried(t.getKeyNode(), path, "a key that is not a string, or a duplicate key");
            }
        }
        return out;
    }

    /** A mapping's entries, or an empty map when the value is null ({@code key:} alone). */
    Map<String, NodeTuple> mapOrEmpty(Node node, String path) {
        if (isNull(node)) {
            return new LinkedHashMap<>();
        }
        Map<String, NodeTuple> m = map(node, path);
        return m == null ? new LinkedHashMap<>() : m;
    }

    List<Node> list(Node node, String path) {
        if (node instanceof SequenceNode s) {
            return s.getValue();
        }
        notCarried(node, path, "expected a list, got " + describe(node));
        return null;
    }

    /** The scalar's text as written; null (reported) for anything else or an interpolated value. */
    String text(Node node, String path) {
        if (!(node instanceof ScalarNode s) || isNull(s)) {
            notCarried(node, path, "expected a string, got " + describe(node));
            return null;
        }
        String raw = s.getValue();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '$' && i + 1 < raw.length() && raw.charAt(i + 1) == '$') {
                b.append('$');
                i++;
            } else if (c == '$' && i + 1 < raw.length() && (raw.charAt(i + 1) == '{' || Character.isLetter(raw.charAt(i + 1))
                    || raw.charAt(i + 1) == '_')) {
                notCarried(node, path, "variable interpolation: Berth reads no .env file and no environment; write the value");
                return null;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A list of scalars, each read with {@link #text}; null when any is wrong (reported). */
    List<String> strings(Node node, String path) {
        List<Node> items = list(node, path);
        if (items == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            String t = text(items.get(i), path + "[" + i + "]");
            ok &= t != null;
            out.add(t);
        }
        return ok ? out : null;
    }

    /** "true"/"false" (YAML 1.1's yes/no too, as Compose reads them); null (reported) otherwise. */
    Boolean bool(Node node, String path) {
        String t = text(node, path);
        if (t == null) {
            return null;
        }
        return switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> {
                notCarried(node, path, "\"" + t + "\" is not a boolean");
                yield null;
            }
        };
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return isNull(node) ? "nothing" : "\"" + ((ScalarNode) node).getValue() + "\"";
    }
}
