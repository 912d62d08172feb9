package io.berth.convert;

import io.berth.manifest.Quantities;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A Compose {@code healthcheck} as Berth's {@code healthCheck}. Berth runs its command directly
 * (Docker's CMD form), so {@code CMD-SHELL} and a plain string become {@code /bin/sh -c}; {@code NONE}
 * and {@code disable: true} mean none. Unset fields take Berth's defaults (interval 30s, timeout 5s,
 * retries 3). {@code start_period} and {@code start_interval} have no Berth field and are reported.
 */
final class HealthChecks {

    private final Nodes n;

    HealthChecks(Nodes nodes) {
        this.n = nodes;
    }

    /** The healthCheck mapping, or null for none (or when the test could not be carried, reported). */
    Map<String, Object> convert(Node value, String at) {
        List<String> command = null;
        boolean none = false;
        Map<String, Object> out = new LinkedHashMap<>();
        Long interval = null;
        Long timeout = null;
        Node timeoutAt = null;
        for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(value, at).entrySet()) {
            String p = at + "." + e.getKey();
            Node v = e.getValue().getValueNode();
            switch (e.getKey()) {
                case "test" -> {
                    command = test(v, p);
                    none |= command != null && command.isEmpty();
                }
                case "disable" -> none |= Boolean.TRUE.equals(n.bool(v, p));
                case "interval" -> interval = duration(v, p);
                case "timeout" -> {
                    timeout = duration(v, p);
                    timeoutAt = v;
                }
                case "retries" -> {
                    String r = n.text(v, p);
                    if (r != null && r.matches("[1-9][0-9]{0,3}")) {
                        out.put("retries", Integer.parseInt(r));
                    } else if (r != null) {
                        n.notCarried(v, p, "\"" + r + "\" (valid in Berth: 1 to 10000)");
                    }
                }
                default -> n.notCarried(e.getValue().getKeyNode(), p, "Berth's health check has command, interval, timeout and retries");
            }
        }
        if (none || command == null) {
            return null;
        }
        long effectiveInterval = interval == null ? 30_000 : interval;
        if (timeout != null && timeout > effectiveInterval) {
            n.notCarried(timeoutAt, at + ".timeout", "longer than the interval, which Berth refuses; it gets the interval");
            timeout = effectiveInterval;
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("command", command);
        if (interval != null) {
            check.put("interval", Quantities.formatDuration(interval));
        }
        if (timeout != null) {
            check.put("timeout", Quantities.formatDuration(timeout));
        }
        check.putAll(out);
        return check;
    }

    /** The command to run; empty for NONE; null when it cannot be carried (reported). */
    private List<String> test(Node v, String p) {
        if (!(v instanceof SequenceNode)) {
            String line = n.text(v, p);
            return line == null ? null : shell(line);
        }
        List<String> words = n.strings(v, p);
        if (words == null || words.isEmpty()) {
            if (words != null) {
                n.notCarried(v, p, "an empty test");
            }
            return null;
        }
        return switch (words.getFirst()) {
            case "NONE" -> List.of();
            case "CMD" -> words.size() > 1 ? new ArrayList<>(words.subList(1, words.size())) : bad(v, p);
            case "CMD-SHELL" -> words.size() == 2 ? shell(words.get(1)) : bad(v, p);
            default -> {
                n.notCarried(v, p, "a test list starts with CMD, CMD-SHELL or NONE");
                yield null;
            }
        };
    }

    private List<String> bad(Node v, String p) {
        n.notCarried(v, p, "CMD takes the command's words, CMD-SHELL one shell line");
        return null;
    }

    private static List<String> shell(String line) {
        return List.of("/bin/sh", "-c", line);
    }

    private Long duration(Node v, String p) {
        String text = n.text(v, p);
        try {
            return text == null ? null : Quantities.parseDuration(text);
        } catch (IllegalArgumentException e) {
            n.notCarried(v, p, e.getMessage());
            return null;
        }
    }
}
