package io.berth.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * The known fields of one YAML mapping, already checked for unknown and duplicate keys by
 * {@link NodeReader#fields}. Typed getters return null (or the given default) for an absent field
 * and null for a wrong one, whose error is already recorded. An explicit YAML null counts as absent.
 * Not thread-safe.
 */
final class Fields {

    private final NodeReader reader;
    private final String path;
    private final MappingNode node;
    private final Map<String, NodeTuple> entries;

    Fields(NodeReader reader, String path, MappingNode node, Map<String, NodeTuple> entries) {
        this.reader = reader;
        this.path = path;
        this.node = node;
        this.entries = entries;
    }

    NodeReader reader() {
        return reader;
    }

    MappingNode node() {
        return node;
    }

    String path() {
        return path;
    }

    String path(String name) {
        return NodeReader.join(path, name);
    }

    /** The value node, or null when the field is absent or YAML null. */
    Node get(String name) {
        NodeTuple t = entries.get(name);
        return t == null || NodeReader.isNull(t.getValueNode()) ? null : t.getValueNode();
    }

    boolean has(String name) {
        return get(name) != null;
    }

    /** The key node when present, else the mapping: where to point errors about the field as a whole. */
    Node at(String name) {
        NodeTuple t = entries.get(name);
        return t == null ? node : t.getKeyNode();
    }

    /**
     * The value node of a field that must be there; when it is not, reports it at the mapping (or
     * at the key when it is written with no value), adding {@code why} in parentheses if given.
     */
    Node require(String name, String why) {
        Node value = get(name);
        if (value == null) {
            String reason = why == null ? "" : " (" + why + ")";
            if (entries.containsKey(name)) {
                reader.error(at(name), path(name), "has no value; a value is required" + reason);
            } else {
                reader.error(node, path(name), "required field is missing" + reason);
            }
        }
        return value;
    }

    String string(String name) {
        Node v = get(name);
        return v == null ? null : reader.string(v, path(name));
    }

    String requiredString(String name, String why) {
        Node v = require(name, why);
        return v == null ? null : reader.string(v, path(name));
    }

    /** The boolean, or {@code dflt} when absent (and when wrong: the error already sinks the document). */
    boolean bool(String name, boolean dflt) {
        Node v = get(name);
        Boolean b = v == null ? null : reader.bool(v, path(name));
        return b == null ? dflt : b;
    }

    Long integer(String name, long min, long max) {
        Node v = get(name);
        return v == null ? null : reader.integer(v, path(name), min, max);
    }

    /** The constant, {@code dflt} when absent, null when wrong. */
    <E extends Enum<E>> E enumValue(String name, Class<E> type, E dflt) {
        Node v = get(name);
        return v == null ? dflt : reader.enumValue(v, path(name), type);
    }

    /** A quantity read by {@code parser} (one of {@link Quantities}' parsers); null when absent or wrong. */
    Long quantity(String name, ToLongFunction<String> parser) {
        Node v = get(name);
        String text = v == null ? null : reader.string(v, path(name));
        if (text == null) {
            return null;
        }
        try {
            return parser.applyAsLong(text);
        } catch (IllegalArgumentException e) {
            reader.error(v, path(name), e.getMessage());
            return null;
        }
    }

    Fields mapping(String name, List<String> known, Map<String, String> elsewhere) {
        Node v = get(name);
        return v == null ? null : reader.fields(v, path(name), known, elsewhere);
    }

    Fields mapping(String name, List<String> known) {
        return mapping(name, known, Map.of());
    }

    /** The items, empty when absent, null when not a list. */
    List<Node> sequence(String name) {
        Node v = get(name);
        return v == null ? List.of() : reader.sequence(v, path(name));
    }

    /** A list of strings, empty when absent; wrong items are reported and left out. */
    List<String> strings(String name) {
        List<Node> items = sequence(name);
        List<String> out = new ArrayList<>();
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                String s = reader.string(items.get(i), path(name) + "[" + i + "]");
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }
}
