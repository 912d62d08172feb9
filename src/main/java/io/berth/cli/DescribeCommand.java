package io.berth.cli;

import io.berth.reconcile.Restarts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.dto.EventView;
import io.berth.api.dto.SnapshotView;
import io.berth.api.dto.WorkloadView;
import io.berth.stats.WorkloadSample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code agent describe NAME}: one workload as the daemon sees it — phase and why (a Pending
 * workload says what it needs and what is free), the limits the runtime enforces, restarts, the
 * desired spec, its utilization now, a VM's snapshots and the workload's recent events.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show one workload: phase and why, enforced limits, restarts, spec and recent events (needs the daemon).")
public class DescribeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table (readable text), json or yaml")
    Output.Format output;

    @Mixin
    Connection connection;

    @Override
    public Integer call() {
        WorkloadView w;
        WorkloadSample usage;
        List<SnapshotView> snapshots = null;
        try (Operations ops = connection.operations()) {
            w = ops.describe(name);
            usage = ops.usage(name);
            if ("VirtualMachine".equals(w.kind()) && w.id() != null) {
                snapshots = snapshots(ops, name);
            }
        }
        PrintWriter out = connection.out();
        switch (output) {
            case json -> out.println(Output.json(withUsage(w, usage, snapshots)));
            case yaml -> out.print(Output.yaml(withUsage(w, usage, snapshots)));
            case table -> {
                text(w, usage, out);
                snapshotLines(snapshots, out);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The workload's JSON with {@code "usage"} (null when not sampled) and, for a VM, its {@code "snapshots"}. */
    private static ObjectNode withUsage(WorkloadView w, WorkloadSample usage, List<SnapshotView> snapshots) {
        ObjectNode tree = Output.tree(w);
        tree.set("usage", Output.tree(usage));
        if (snapshots != null) {
            tree.set("snapshots", Output.tree(snapshots));
        }
        return tree;
    }

    /** A VM's snapshots; none when they cannot be listed (the describe itself still answers). */
    private static List<SnapshotView> snapshots(Operations ops, String name) {
        try {
            return ops.snapshots(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void snapshotLines(List<SnapshotView> snapshots, PrintWriter out) {
        if (snapshots == null) {
            return;
        }
        out.println("Snapshots:" + (snapshots.isEmpty() ? " none" : ""));
        for (SnapshotView s : snapshots) {
            out.printf("  %-24s %s  %-9s %s%n", s.name(), s.created(), s.madeBy(), TopCommand.bytes(s.sizeBytes()));
        }
    }

    private static void text(WorkloadView w, WorkloadSample u, PrintWriter out) {
        field(out, "Name", w.name());
        field(out, "Kind", w.kind());
        field(out, "Phase", w.phase());
        field(out, "State", w.exitCode() == null ? w.state() : w.state() + " (exit code " + w.exitCode() + ")");
        if (w.lastError() != null) {
            field(out, "Reason", w.lastError());
        }
        field(out, "Last action", w.lastAction());
        field(out, "Restarts", w.restarts());
        if (w.nextAttempt() != null) {
            field(out, "Next attempt", w.nextAttempt());
        }
        if (w.oomKilled()) {
            field(out, "OOMKilled", "true");
        }
        field(out, "Source", w.source());
        field(out, "Runtime id", w.id());
        out.println("Limits (enforced by the runtime):");
        if (w.limits() != null) {
            w.limits().shown().forEach((k, v) -> out.printf("  %-12s %s%n", k + ":", v));
        }
        if (u != null) {
            out.printf("Usage:        cpu %s of %s cores (%s), memory %s of %s (%s)%s%n", TopCommand.cores(u.cpu().usageCores()),
                    TopCommand.cores(u.cpu().limitCores()), TopCommand.percent(u.cpu().percentOfLimit()),
                    TopCommand.bytes(u.memory().usageBytes()), TopCommand.bytes(u.memory().limitBytes()),
                    TopCommand.percent(u.memory().percentOfLimit()), u.oomKilled() ? ", OOMKilled" : "");
        }
        for (String n : w.notes() == null ? List.<String>of() : w.notes()) {
            out.println("Note: " + n);
        }
        if (w.spec() != null) {
            out.println("Spec (desired):");
            Output.yaml(w.spec()).lines().forEach(l -> out.println("  " + l));
        } else {
            out.println("Spec (desired): none — no source declares it");
        }
        List<EventView> events = w.events() == null ? List.of() : w.events();
        out.println("Events:" + (events.isEmpty() ? " none" : ""));
        for (EventView e : events) {
            out.printf("  %s  %-14s %s%n", e.at(), e.type(), e.message());
        }
    }

    private static void field(PrintWriter out, String label, Object value) {
        out.printf("%-13s %s%n", label + ":", value == null ? "-" : value);
    }
}
