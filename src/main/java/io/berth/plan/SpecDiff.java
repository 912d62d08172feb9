package io.berth.plan;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Field-by-field difference of two workloads over their canonical manifest trees, so every field
 * the user can write is compared (a hash over only some fields misses edits: kubernetes#136931)
 * and values print in the user's own spelling. Environment variables compare one by one
 * ({@code spec.env[NAME]}, plus {@code spec.env} for their names and order), secrets one by one
 * ({@code spec.secrets[NAME]} and its {@code .value}); secret values
 * (env values, secrets' contents, user data: {@link Redaction}) are compared as the digests the caller redacted them
 * to and print as {@value Redaction#MASK} and {@value #CHANGED}, never as values. Pure.
 */
final class SpecDiff {

    static final String NONE = "(none)";
    static final String CHANGED = "(changed)";

    private SpecDiff() {
    }

    /** Changed paths with old and new values, in path order. Lists compare as whole values. */
    static List<String[]> diff(Workload from, Workload to) {
        Map<String, String> a = flatten(CanonicalForm.toTree(from));
        Map<String, String> b = flatten(CanonicalForm.toTree(to));
        // spec.snapshots is the daemon's policy: changing it changes nothing the runtime made.
        a.keySet().removeIf(SpecDiff::policyOnly);
        b.keySet().removeIf(SpecDiff::policyOnly);
        List<String[]> out = new ArrayList<>();
        for (String path : new TreeSet<>(union(a, b))) {
            String x = a.getOrDefault(path, NONE);
            String y = b.getOrDefault(path, NONE);
            if (!Objects.equals(x, y)) {
                out.add(Redaction.isSecret(path) ? new String[] {path, hidden(x), y.equals(NONE) ? NONE
                        : x.equals(NONE) ? Redaction.MASK : CHANGED} : new String[] {path, x, y});
            }
        }
        return out;
    }

    private static boolean policyOnly(String path) {
        return path.startsWith("spec." + CanonicalForm.POLICY_ONLY + ".");
    }

    private static String hidden(String value) {
        return value.equals(NONE) ? NONE : Redaction.MASK;
    }

    private static TreeSet<String> union(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    static Map<String, String> flatten(Map<String, Object> tree) {
        Map<String, String> out = new TreeMap<>();
        flatten("", tree, out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, Map<String, String> out) {
        if (prefix.equals("spec.env") && node instanceof List<?> env) {
            // One entry per variable, so a plan names the variable whose value changed without
            // printing any value; the names alone keep adding, removing and reordering visible.
            List<Object> names = new ArrayList<>();
            for (Object e : env) {
                Map<?, ?> var = (Map<?, ?>) e;
                names.add(var.get("name"));
                out.put(Redaction.envPath(String.valueOf(var.get("name"))), render(var.get("value")));
            }
            out.put(prefix, render(names));
        } else if (prefix.equals("spec.secrets") && node instanceof List<?> secrets) {
            // One entry per secret for where and how it is mounted, and one for its value's digest,
            // so a rotated file plans "spec.secrets[NAME].value: (secret) → (changed)" and nothing more.
            for (Object e : secrets) {
                Map<String, Object> secret = new java.util.LinkedHashMap<>((Map<String, Object>) e);
                Object name = secret.remove("name");
                Object digest = secret.remove("digest");
                out.put(prefix + "[" + name + "]", render(secret));
                if (digest != null) {
                    out.put(Redaction.secretPath(String.valueOf(name)), render(digest));
                }
            }
        } else if (node instanceof Map<?, ?> map) {
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, render(node));
        }
    }

    /** Flow-style rendering: lists and maps on one line, as a user would write them. */
    static String render(Object node) {
        if (node instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) {
                parts.add(render(o));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        if (node instanceof Map<?, ?> map) {
            List<String> parts = new ArrayList<>();
            map.forEach((k, v) -> parts.add(k + ": " + render(v)));
            return "{" + String.join(", ", parts) + "}";
        }
        return String.valueOf(node);
    }
}
