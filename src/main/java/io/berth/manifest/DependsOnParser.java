package io.berth.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code spec.dependsOn} (both kinds) into {@link Dependency} entries: a name that is a valid
 * workload name, at most once, and a condition (default {@code started}). Whether the names exist,
 * form a cycle or can reach their condition is decided over the whole load ({@link LoadChecks}).
 * Not thread-safe: one per parse.
 */
final class DependsOnParser {

    static final String FIELD = "dependsOn";
    static final List<String> ENTRY = List.of("name", "condition");

    private final NodeReader r;

    DependsOnParser(NodeReader reader) {
        this.r = reader;
    }

    /** The entries in the order written; empty when absent. Errors are recorded, bad entries dropped. */
    List<Dependency> parse(Fields spec) {
        List<Dependency> out = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        List<Node> items = spec.sequence(FIELD);
        for (int i = 0; items != null && i < items.size(); i++) {
            Fields d = r.fields(items.get(i), spec.path(FIELD) + "[" + i + "]", ENTRY);
            if (d == null) {
                continue;
            }
            String name = d.requiredString("name", "the name of a workload to start first, like \"db\"");
            Dependency.Condition condition = d.enumValue("condition", Dependency.Condition.class, Dependency.Condition.started);
            if (name != null && Syntax.workloadName(name) != null) {
                r.error(d.get("name"), d.path("name"), Syntax.workloadName(name));
                continue;
            }
            if (name != null && seen.containsKey(name)) {
                r.error(d.get("name"), d.path("name"), "duplicate dependency " + Messages.quote(name)
                        + " (first at line " + r.origin(seen.get(name)).line() + "; valid: each name once)");
                continue;
            }
            if (name != null && condition != null) {
                seen.put(name, d.get("name"));
                out.add(new Dependency(name, condition));
            }
        }
        return List.copyOf(out);
    }
}
