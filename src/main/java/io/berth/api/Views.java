package io.berth.api;

import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Quantities;
import io.berth.manifest.VmSpec;
import io.berth.plan.Action;
import io.berth.plan.FieldChange;
import io.berth.plan.Plan;
import io.berth.reconcile.Outcome;
import io.berth.runtime.Observed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON shape of plans, apply results and observed workloads. The daemon's API answers
 * with these trees and the CLI prints them (as a table, JSON or YAML), whether it computed them
 * itself ({@code --local}) or got them from {@code agent serve}: both modes print the same.
 */
public final class Views {

    private Views() {
    }

    public static Map<String, Object> plan(Plan plan) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("changes", plan.hasChanges());
        root.put("summary", plan.summary());
        List<Object> actions = new ArrayList<>();
        for (Action a : plan.actions()) {
            actions.add(action(a));
        }
        root.put("actions", actions);
        return root;
    }

    public static Map<String, Object> action(Action a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("kind", a.kind().name());
        m.put("action", a.verb());
        m.put("effect", a.hasEffect());
        m.put("description", a.description());
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

    public static Map<String, Object> outcome(Outcome o) {
        return outcome(o.action().name(), o.action().verb(), o.done(), o.error(), o.took().toMillis() / 1000.0, o.notes());
    }

    /** An outcome without an action the planner made (nothing to do, or still in progress). */
    public static Map<String, Object> outcome(String name, String action, String done, String error, double seconds,
                                              List<String> notes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("action", action);
        m.put("done", done);
        m.put("ok", error == null);
        m.put("error", error);
        m.put("seconds", seconds);
        m.put("notes", notes);
        return m;
    }

    /** One managed workload as its runtime reports it. */
    public static Map<String, Object> observed(Observed o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        m.put("kind", o.kind().name());
        m.put("state", o.state().name());
        m.put("exitCode", o.exitCode());
        m.put("oomKilled", o.oomKilled());
        m.put("id", o.runtimeId());
        m.put("image", image(o));
        m.put("source", o.source());
        m.put("agent", o.agent());
        m.put("specHash", o.specHash());
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("cpu", cpu(o.limits().cpuMillis()));
        limits.put("memory", memory(o.limits().memoryBytes()));
        limits.put("memorySwap", memory(o.limits().memorySwapBytes()));
        limits.put("pids", o.limits().pids());
        if (o.limits().memoryMaxBytes() > 0) {
            limits.put("memoryMax", memory(o.limits().memoryMaxBytes()));
        }
        m.put("limits", limits);
        m.put("notes", o.notes());
        return m;
    }

    /** The container image, or the VM's base disk image; empty when the recorded spec is unreadable. */
    private static String image(Observed o) {
        if (o.applied() == null) {
            return "";
        }
        return switch (o.applied().spec()) {
            case ContainerSpec c -> c.image();
            case VmSpec v -> v.disk().image();
        };
    }

    public static String cpu(long millis) {
        return millis == 0 ? "unlimited" : Quantities.formatCpu(millis);
    }

    public static String memory(long bytes) {
        return bytes <= 0 ? "unlimited" : Quantities.formatMemory(bytes);
    }
}
