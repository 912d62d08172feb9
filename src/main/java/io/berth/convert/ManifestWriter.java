package io.berth.convert;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a manifest tree (ordered maps, lists, strings, numbers, booleans) as YAML in the shape of
 * the examples under {@code manifests/}: mappings in block style, lists of scalars and mappings
 * wrapped in {@link Flow} on one line, lists of mappings one flow mapping per item. A string is
 * written plain only when no YAML reader could take it for anything else; otherwise it is
 * double-quoted with JSON escapes (which YAML reads the same). Pure and thread-safe.
 */
final class ManifestWriter {

    /** A mapping written on one line: {@code limits: {cpu: "1", memory: 512Mi}}. */
    record Flow(Map<String, ?> map) {
    }

    private static final Pattern PLAIN_FLOW = Pattern.compile("[A-Za-z0-9_/][A-Za-z0-9_./@+-]*");
    private static final Pattern PLAIN_BLOCK = Pattern.compile("[A-Za-z0-9_/][A-Za-z0-9_./@+:-]*");
    private static final Pattern NUMBER_LIKE = Pattern.compile("[-+]?(\\.?[0-9][0-9_.:eE+-]*|0x[0-9a-fA-F_]+|0o[0-7]+)");
    private static final List<String> SPECIAL = List.of("true", "false", "yes", "no", "on", "off", "y", "n", "null", "~");

    private ManifestWriter() {
    }

    static String write(Map<String, ?> doc) {
        StringBuilder b = new StringBuilder();
        block(b, doc, 0);
        return b.toString();
    }

    private static void block(StringBuilder b, Map<String, ?> map, int indent) {
        String pad = " ".repeat(indent);
        map.forEach((key, value) -> {
            b.append(pad).append(key).append(':');
            if (value instanceof Map<?, ?> m) {
                b.append('\n');
                @SuppressWarnings("unchecked")
                Map<String, ?> child = (Map<String, ?>) m;
                block(b, child, indent + 2);
            } else if (value instanceof List<?> l && l.stream().anyMatch(v -> v instanceof Map || v instanceof Flow)) {
                b.append('\n');
                for (Object item : l) {
                    b.append(pad).append("  - ");
                    flow(b, item);
                    b.append('\n');
                }
            } else if (value instanceof List<?> || value instanceof Flow) {
                b.append(' ');
                flow(b, value);
                b.append('\n');
            } else {
                b.append(' ').append(scalar(value, PLAIN_BLOCK)).append('\n');
            }
        });
    }

    private static void flow(StringBuilder b, Object value) {
        Object v = value instanceof Flow f ? f.map() : value;
        if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ", ").append(e.getKey()).append(": ");
                flow(b, e.getValue());
                first = false;
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                b.append(i == 0 ? "" : ", ");
                flow(b, l.get(i));
            }
            b.append(']');
        } else {
            b.append(scalar(v, PLAIN_FLOW));
        }
    }

    static String scalar(Object value, Pattern plain) {
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        String s = value.toString();
        if (plain.matcher(s).matches() && !NUMBER_LIKE.matcher(s).matches() && !SPECIAL.contains(s.toLowerCase(Locale.ROOT))) {
            return s;
        }
        return quote(s);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
