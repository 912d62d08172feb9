package io.berth.manifest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One closed mapping of the manifest as JSON Schema: each field declared once with its type
 * fragment, whether it is required, a description and an example (what editors show on hover).
 * {@link ManifestSchema} builds the whole document from these; {@code ManifestSchemaTest} holds
 * each object's keys equal to the parser's list for the same mapping. Mutable while being declared,
 * then turned into a plain tree by {@link #build()}; not thread-safe.
 */
final class SchemaObject {

    private final String description;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();
    private final List<Object> rules = new ArrayList<>();

    SchemaObject(String description) {
        this.description = description;
    }

    /** An optional field. {@code example} may be null for nested objects, whose fields carry them. */
    SchemaObject optional(String name, Map<String, Object> type, String description, Object example) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("description", description);
        p.putAll(type);
        if (example != null) {
            p.put("examples", List.of(example));
        }
        properties.put(name, p);
        return this;
    }

    SchemaObject required(String name, Map<String, Object> type, String description, Object example) {
        required.add(name);
        return optional(name, type, description, example);
    }

    /** A cross-field rule (an if/then) that the object must also satisfy. */
    SchemaObject rule(Map<String, Object> rule) {
        rules.add(rule);
        return this;
    }

    List<String> keys() {
        return List.copyOf(properties.keySet());
    }

    Map<String, Object> build() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("type", "object");
        o.put("description", description);
        o.put("properties", properties);
        if (!required.isEmpty()) {
            o.put("required", List.copyOf(required));
        }
        // Unknown fields are errors in Berth (a typo must not be silently ignored), so every mapping is closed.
        o.put("additionalProperties", false);
        if (!rules.isEmpty()) {
            o.put("allOf", List.copyOf(rules));
        }
        return o;
    }

    /** A JSON object from alternating keys and values, in order: the schema's small fragments. */
    static Map<String, Object> of(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** A fragment plus more keywords, e.g. a shared pattern with its own default. */
    static Map<String, Object> with(Map<String, Object> base, Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.putAll(of(keysAndValues));
        return m;
    }

    static Map<String, Object> ref(String def) {
        return of("$ref", "#/$defs/" + def);
    }

    static Map<String, Object> enumOf(Class<? extends Enum<?>> type, Enum<?> dflt) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        return dflt == null ? of("type", "string", "enum", names) : of("type", "string", "enum", names, "default", dflt.name());
    }

    static Map<String, Object> listOf(Map<String, Object> items) {
        return of("type", "array", "items", items);
    }
}
