package io.berth.manifest;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed access to a composed YAML node tree that records, rather than throws, every mismatch as a
 * {@link ManifestError} at the node's position. Scalars are read as their source text, never through
 * YAML 1.1 typing, so {@code no} stays "no" and {@code 0123} stays "0123". Accessors return null
 * when a value is absent or wrong (the error is already recorded), so callers skip checks that would
 * only repeat it. Not thread-safe: one instance per parse.
 */
final class NodeReader {

    private static final Pattern INTEGER = Pattern.compile("0|[1-9][0-9]{0,17}");

    private final Path file;
    private final List<ManifestError> errors;
    /** Where each field of the current document was written (its value), by dotted path. */
    private Map<String, Origin> positions = new LinkedHashMap<>();

    NodeReader(Path file, List<ManifestError> errors) {
        this.file = file;
        this.errors = errors;
    }

    Origin origin(Node node) {
        Mark m = node.getStartMark();
        return m == null ? Origin.unknown(file) : new Origin(file, m.getLine() + 1, m.getColumn() + 1);
    }

    /** Starts a new document's field positions; returns the finished ones of the previous. */
    Map<String, Origin> takePositions() {
        Map<String, Origin> done = positions;
        positions = new LinkedHashMap<>();
        return done;
    }

    void error(Node at, String field, String message) {
        errors.add(new ManifestError(origin(at), field, message));
    }

    int errorCount() {
        return errors.size();
    }

    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Absent, or an explicit YAML null ({@code key:}, {@code ~}, {@code null}); quoted "null" is a string. */
    static boolean isNull(Node node) {
        return node == null || node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    /** How a node reads to a user: "a mapping", "a list", "the number 5", "the string \"x\"". */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return s.getValue().isEmpty() ? "nothing" : "null";
        }
        if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
            return "the number " + s.getValue();
        }
        if (Tag.BOOL.equals(tag)) {
            return "the boolean " + s.getValue();
        }
        return "the string " + Messages.quote(s.getValue());
    }

    /**
     * The entries of a mapping by key, in document order. Keys must be scalars; a duplicate key is
     * reported at its second occurrence and the first one wins. Null (error recorded) if not a mapping.
     */
    Map<String, NodeTuple> entries(Node node, String path) {
        if (!(node instanceof MappingNode mapping)) {
            error(node, path, "expected a mapping, got " + describe(node));
            return null;
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                error(t.getKeyNode(), path, "keys must be strings, got " + describe(t.getKeyNode()));
                continue;
            }
            String name = key.getValue();
            NodeTuple first = entries.get(name);
            if (first != null) {
                Origin at = origin(first.getKeyNode());
                error(key, join(path, name), "duplicate key (first at line " + at.line() + ", column " + at.column() + ")");
            } else if (Tag.MERGE.equals(key.getTag())) {
                error(key, path, "YAML merge keys (<<) are not supported (write the fields out)");
            } else {
                entries.put(name, t);
            }
        }
        return entries;
    }

    /**
     * Opens a mapping whose keys must be among {@code known}; every other key is reported, using
     * {@code elsewhere}'s message (e.g. "only valid for kind Container") when it names the key.
     */
    Fields fields(Node node, String path, List<String> known, Map<String, String> elsewhere) {
        Map<String, NodeTuple> entries = entries(node, path);
        if (entries == null) {
            return null;
        }
        for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            if (known.contains(name)) {
                continue;
            }
            String message = elsewhere.containsKey(name) ? elsewhere.get(name) : "unknown field " + Messages.validHint(name, known);
            error(e.getValue().getKeyNode(), join(path, name), message);
            it.remove();
        }
        // Kept per field so a rule that needs the host's state (a disk that cannot shrink) can
        // point at the field, like every other manifest error.
        entries.forEach((name, t) -> positions.put(join(path, name), origin(t.getValueNode())));
        return new Fields(this, path, (MappingNode) node, entries);
    }

    Fields fields(Node node, String path, List<String> known) {
        return fields(node, path, known, Map.of());
    }

    List<Node> sequence(Node node, String path) {
        if (node instanceof SequenceNode seq) {
            return seq.getValue();
        }
        error(node, path, "expected a list, got " + describe(node));
        return null;
    }

    /** The scalar's text; numbers and booleans are taken as written. */
    String string(Node node, String path) {
        if (node instanceof ScalarNode s && !isNull(s)) {
            return s.getValue();
        }
        error(node, path, "expected a string, got " + describe(node));
        return null;
    }

    Boolean bool(Node node, String path) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> {
                error(node, path, Messages.quote(text) + " is not a boolean (valid: true, false)");
                yield null;
            }
        };
    }

    Long integer(Node node, String path, long min, long max) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        if (!INTEGER.matcher(text).matches()) {
            String why = text.startsWith("-") && INTEGER.matcher(text.substring(1)).matches() ? " is negative" : " is not a whole number";
            error(node, path, Messages.quote(text) + why + " (valid: " + min + " to " + max + ")");
            return null;
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            error(node, path, text + " is out of range (valid: " + min + " to " + max + ")");
            return null;
        }
        return value;
    }

    /** An enum constant by its exact name; the error lists the valid names and suggests a near one. */
    <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type) {
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        int i = names.indexOf(text);
        if (i < 0) {
            String what = path.substring(path.lastIndexOf('.') + 1);
            error(node, path, Messages.quote(text) + " is not a valid " + what + " " + Messages.validHint(text, names));
            return null;
        }
        return type.getEnumConstants()[i];
    }
}
