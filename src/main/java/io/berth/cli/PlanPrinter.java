package io.berth.cli;

import io.berth.plan.Action;
import io.berth.plan.FieldChange;
import io.berth.plan.Plan;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a plan for people (a diff per workload and field, each change marked in place or
 * recreate, with the reason) and for machines (JSON). The same plan object is what apply runs.
 */
final class PlanPrinter {

    private PlanPrinter() {
    }

    static void human(Plan plan, PrintWriter out) {
        for (Action a : plan.actions()) {
            if (!a.hasEffect()) {
                continue;
            }
            out.printf("%s %s (%s): %s — %s%n", symbol(a), a.name(), a.kind(), describe(a), a.reason());
            for (FieldChange c : a.changesList()) {
                out.printf("      %s: %s → %s  [%s: %s]%n", c.field(), c.from(), c.to(),
                        c.inPlace() ? "in place" : "recreate", c.why());
            }
        }
        out.println(summary(plan));
        out.flush();
    }

    static String summary(Plan plan) {
        Map<String, Integer> s = plan.summary();
        if (!plan.hasChanges()) {
            return "No changes: " + plan.actions().size() + " workload" + (plan.actions().size() == 1 ? "" : "s")
                    + " up to date.";
        }
        return String.format("Plan: %d to create, %d to update in place, %d to recreate, %d to start, %d to delete, %d unchanged.",
                s.getOrDefault("create", 0), s.getOrDefault("update", 0), s.getOrDefault("recreate", 0),
                s.getOrDefault("start", 0), s.getOrDefault("delete", 0), s.getOrDefault("unchanged", 0));
    }

    static Map<String, Object> tree(Plan plan) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("changes", plan.hasChanges());
        root.put("summary", plan.summary());
        List<Object> actions = new ArrayList<>();
        for (Action a : plan.actions()) {
            actions.add(actionTree(a));
        }
        root.put("actions", actions);
        return root;
    }

    static Map<String, Object> actionTree(Action a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("kind", a.kind().name());
        m.put("action", a.verb());
        m.put("reason", a.reason());
        List<Object> changes = new ArrayList<>();
        for (FieldChange c : a.changesList()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("field", c.field());
            cm.put("from", c.from());
            cm.put("to", c.to());
            cm.put("inPlace", c.inPlace());
            cm.put("why", c.why());
            changes.add(cm);
        }
        m.put("changes", changes);
        return m;
    }

    private static String symbol(Action a) {
        return switch (a.verb()) {
            case "create" -> "  +";
            case "update" -> "  ~";
            case "recreate" -> "-/+";
            case "start" -> "  >";
            case "delete" -> "  -";
            default -> "   ";
        };
    }

    private static String describe(Action a) {
        return switch (a) {
            case Action.UpdateInPlace u -> u.startAfter() ? "update in place, then start" : "update in place";
            default -> a.verb();
        };
    }
}
