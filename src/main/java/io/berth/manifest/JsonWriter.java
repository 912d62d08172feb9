package io.berth.manifest;

import java.util.List;
import java.util.Map;

/**
 * Writes a tree of maps, lists, strings, numbers and booleans as compact JSON. Hand-written rather
 * than delegated to a library so the bytes (and so every stored spec hash) cannot change with a
 * library upgrade or setting. Output is pure ASCII: anything else is escaped as \\uXXXX, which also
 * keeps YAML 1.1 from reading U+0085/U+2028 inside the strings as line breaks when the JSON is
 * parsed back as YAML. Pure, thread-safe.
 */
final class JsonWriter {

    private JsonWriter() {
    }

    static String write(Object tree) {
        StringBuilder b = new StringBuilder();
        write(tree, b);
        return b.toString();
    }

    private static void write(Object node, StringBuilder b) {
        switch (node) {
            case null -> b.append("null");
            case String s -> string(s, b);
            case Integer i -> b.append(i.intValue());
            case Long l -> b.append(l.longValue());
            case Boolean bool -> b.append(bool.booleanValue());
            case Map<?, ?> map -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    string((String) e.getKey(), b);
                    b.append(':');
                    write(e.getValue(), b);
                }
                b.append('}');
            }
            case List<?> list -> {
                b.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    write(list.get(i), b);
                }
                b.append(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getClass());
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
