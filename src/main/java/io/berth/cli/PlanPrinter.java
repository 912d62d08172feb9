package io.berth.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders plans and apply results for people — a diff per workload and field, each change marked
 * in place or recreate, with the reason; a progress line per workload — from the trees of
 * {@link io.berth.api.Views}, so local mode and the daemon's answers print alike.
 */
final class PlanPrinter {

    private PlanPrinter() {
    }

    static void human(Map<String, Object> plan, PrintWriter out) {
        for (Map<String, Object> a : list(plan.get("actions"))) {
            if ("refused".equals(a.get("action"))) {
                out.printf("  ! %s (%s): left alone — %s%n", a.get("name"), a.get("kind"), a.get("reason"));
                continue;
            }
            if (!Boolean.TRUE.equals(a.get("effect"))) {
                continue;
            }
            out.printf("%s %s (%s): %s — %s%n", symbol((String) a.get("action")), a.get("name"), a.get("kind"),
                    a.get("description"), a.get("reason"));
            for (Map<String, Object> c : list(a.get("changes"))) {
                out.printf("      %s: %s → %s  [%s: %s]%n", c.get("field"), c.get("from"), c.get("to"),
                        Boolean.TRUE.equals(c.get("inPlace")) ? "in place" : "recreate", c.get("why"));
            }
        }
        elsewhere(plan, out);
        out.println(summary(plan));
        out.flush();
    }

    /** The workloads the manifests place on other hosts: not run (and not kept) here. */
    static void elsewhere(Map<String, Object> plan, PrintWriter out) {
        for (Object line : (List<?>) plan.getOrDefault("elsewhere", List.of())) {
            out.printf("    %s (skipped)%n", line);
        }
    }

    static String summary(Map<String, Object> plan) {
        int total = list(plan.get("actions")).size();
        if (!Boolean.TRUE.equals(plan.get("changes"))) {
            return "No changes: " + total + " workload" + (total == 1 ? "" : "s") + " up to date.";
        }
        Map<String, Object> s = map(plan.get("summary"));
        return String.format("Plan: %d to create, %d to update in place, %d to recreate, %d to start, %d to delete, %d unchanged.",
                count(s, "create"), count(s, "update"), count(s, "recreate"), count(s, "start"), count(s, "delete"),
                count(s, "unchanged"));
    }

    /** One workload's line (and its notes) as its action finishes. */
    static void progress(PrintWriter out, Map<String, Object> o) {
        synchronized (out) {
            if (Boolean.TRUE.equals(o.get("ok"))) {
                out.printf("%s: %s (%.2fs)%n", o.get("name"), o.get("done"), ((Number) o.get("seconds")).doubleValue());
                for (Object n : (List<?>) o.getOrDefault("notes", List.of())) {
                    out.printf("%s:   note: %s%n", o.get("name"), n);
                }
            } else {
                out.printf("%s: failed: %s%n", o.get("name"), o.get("error"));
            }
            out.flush();
        }
    }

    /** "Apply complete: 2 created, 1 unchanged." over the outcomes; {@code what} is Apply or Delete. */
    static String summary(String what, List<Map<String, Object>> outcomes) {
        Map<String, Integer> counts = new TreeMap<>();
        boolean failed = false;
        for (Map<String, Object> o : outcomes) {
            boolean ok = Boolean.TRUE.equals(o.get("ok"));
            failed |= !ok;
            counts.merge(ok ? (String) o.get("done") : "failed", 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((k, v) -> text.append(text.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
        return what + (failed ? " failed: " : " complete: ") + (text.isEmpty() ? "nothing to do" : text) + ".";
    }

    static boolean failed(List<Map<String, Object>> outcomes) {
        return outcomes.stream().anyMatch(o -> !Boolean.TRUE.equals(o.get("ok")));
    }

    private static int count(Map<String, Object> s, String key) {
        Object v = s.get(key);
        return v == null ? 0 : ((Number) v).intValue();
    }

    private static String symbol(String verb) {
        return switch (verb) {
            case "create" -> "  +";
            case "update" -> "  ~";
            case "recreate" -> "-/+";
            case "start" -> "  >";
            case "delete" -> "  -";
            default -> "   ";
        };
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return o == null ? List.of() : (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    /** A JSON object, or null for JSON null. */
    static Map<String, Object> mapOrNull(Object o) {
        return o == null ? null : map(o);
    }

    /**
     * The git source in one line: {@code git URL BRANCH: revision 1a2b3c4d5e6f "message" in force
     * (applied AT, fetched AT)}, or the error (which names the revision still in force).
     */
    static String gitLine(Map<String, Object> git) {
        Map<String, Object> applied = mapOrNull(git.get("applied"));
        Map<String, Object> fetched = mapOrNull(git.get("fetched"));
        String where = "git " + git.get("url") + " " + git.get("branch") + ": ";
        if (git.get("error") != null) {
            return where + git.get("error");
        }
        if (applied == null) {
            return where + "no revision applied yet";
        }
        return where + "revision " + shortCommit(applied) + " \"" + applied.get("message") + "\" in force (applied "
                + applied.get("at") + (fetched == null ? "" : ", fetched " + fetched.get("at")) + ")";
    }

    static String shortCommit(Map<String, Object> seen) {
        return io.berth.source.git.Revision.abbreviate(String.valueOf(seen.get("commit")));
    }
}
