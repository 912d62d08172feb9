package io.berth.cli;

import io.berth.api.dto.ActionView;
import io.berth.api.dto.FieldChangeView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.PlanView;
import io.berth.api.dto.RevisionView;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders plans and apply results for people — a diff per workload and field, each change marked
 * in place or recreate, with the reason; a progress line per workload — from the records of
 * {@link io.berth.api.dto}, so local mode and the daemon's answers print alike.
 */
final class PlanPrinter {

    private PlanPrinter() {
    }

    static void human(PlanView plan, PrintWriter out) {
        for (ActionView a : plan.actions()) {
            if ("refused".equals(a.action())) {
                out.printf("  ! %s (%s): left alone — %s%n", a.name(), a.kind(), a.reason());
                continue;
            }
            if (!a.effect()) {
                continue;
            }
            out.printf("%s %s (%s): %s — %s%n", symbol(a.action()), a.name(), a.kind(), a.description(), a.reason());
            for (FieldChangeView c : a.changes()) {
                out.printf("      %s: %s → %s  [%s: %s]%n", c.field(), c.from(), c.to(),
                        c.inPlace() ? "in place" : "recreate", c.why());
            }
        }
        elsewhere(plan, out);
        out.println(summary(plan));
        out.flush();
    }

    /** The workloads the manifests place on other hosts: not run (and not kept) here. */
    static void elsewhere(PlanView plan, PrintWriter out) {
        for (String line : plan.elsewhere() == null ? List.<String>of() : plan.elsewhere()) {
            out.printf("    %s (skipped)%n", line);
        }
    }

    static String summary(PlanView plan) {
        int total = plan.actions().size();
        if (!plan.changes()) {
            return "No changes: " + total + " workload" + (total == 1 ? "" : "s") + " up to date.";
        }
        Map<String, Integer> s = plan.summary() == null ? Map.of() : plan.summary();
        return String.format("Plan: %d to create, %d to update in place, %d to recreate, %d to start, %d to delete, %d unchanged.",
                s.getOrDefault("create", 0), s.getOrDefault("update", 0), s.getOrDefault("recreate", 0),
                s.getOrDefault("start", 0), s.getOrDefault("delete", 0), s.getOrDefault("unchanged", 0));
    }

    /** One workload's line (and its notes) as its action finishes. */
    static void progress(PrintWriter out, OutcomeView o) {
        synchronized (out) {
            if (o.ok()) {
                out.printf("%s: %s (%.2fs)%n", o.name(), o.done(), o.seconds());
                for (String n : o.notes() == null ? List.<String>of() : o.notes()) {
                    out.printf("%s:   note: %s%n", o.name(), n);
                }
            } else {
                out.printf("%s: failed: %s%n", o.name(), o.error());
            }
            out.flush();
        }
    }

    /** "Apply complete: 2 created, 1 unchanged." over the outcomes; {@code what} is Apply or Delete. */
    static String summary(String what, List<OutcomeView> outcomes) {
        Map<String, Integer> counts = new TreeMap<>();
        boolean failed = false;
        for (OutcomeView o : outcomes) {
            failed |= !o.ok();
            counts.merge(o.ok() ? o.done() : "failed", 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((k, v) -> text.append(text.isEmpty() ? "" : ", ").append(v).append(' ').append(k));
        return what + (failed ? " failed: " : " complete: ") + (text.isEmpty() ? "nothing to do" : text) + ".";
    }

    static boolean failed(List<OutcomeView> outcomes) {
        return outcomes.stream().anyMatch(o -> !o.ok());
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

    /**
     * The git source in one line: {@code git URL BRANCH: revision 1a2b3c4d5e6f "message" in force
     * (applied AT, fetched AT)}, or the error (which names the revision still in force).
     */
    static String gitLine(GitView git) {
        RevisionView applied = git.applied();
        RevisionView fetched = git.fetched();
        String where = "git " + git.url() + " " + git.branch() + ": ";
        if (git.error() != null) {
            return where + git.error();
        }
        if (applied == null) {
            return where + "no revision applied yet";
        }
        return where + "revision " + applied.shortCommit() + " \"" + applied.message() + "\" in force (applied "
                + applied.at() + (fetched == null ? "" : ", fetched " + fetched.at()) + ")";
    }
}
