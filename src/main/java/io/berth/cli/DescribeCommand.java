package io.berth.cli;

import io.berth.reconcile.Restarts;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agent describe NAME}: one workload as the daemon sees it — phase and why (a Pending
 * workload says what it needs and what is free), the limits the runtime enforces, restarts, the
 * desired spec, its utilization now and the workload's recent events.
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Client client = connection.daemonOnly("describe shows the daemon's status and events; without a daemon use `agent get "
                    + name + " --local -o yaml`");
        Map<String, Object> w = PlanPrinter.map(client.get("api/v1/workloads/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8)));
        try {
            w.put("usage", client.get("api/v1/workloads/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/stats"));
        } catch (UserError | io.berth.runtime.RuntimeUnavailableException e) {
            w.put("usage", null); // not sampled yet (or not running): describe still answers
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (output) {
            case json -> out.println(Output.json(w));
            case yaml -> out.print(Output.yaml(w));
            case table -> text(w, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void text(Map<String, Object> w, PrintWriter out) {
        field(out, "Name", w.get("name"));
        field(out, "Kind", w.get("kind"));
        field(out, "Phase", w.get("phase"));
        field(out, "State", w.get("exitCode") == null ? w.get("state") : w.get("state") + " (exit code " + w.get("exitCode") + ")");
        if (w.get("lastError") != null) {
            field(out, "Reason", w.get("lastError"));
        }
        field(out, "Last action", w.get("lastAction"));
        field(out, "Restarts", w.get("restarts"));
        if (w.get("nextAttempt") != null) {
            field(out, "Next attempt", w.get("nextAttempt"));
        }
        if (Boolean.TRUE.equals(w.get("oomKilled"))) {
            field(out, "OOMKilled", "true");
        }
        field(out, "Source", w.get("source"));
        field(out, "Runtime id", w.get("id"));
        Map<String, Object> limits = PlanPrinter.map(w.get("limits"));
        out.println("Limits (enforced by the runtime):");
        limits.forEach((k, v) -> out.printf("  %-12s %s%n", k + ":", v));
        if (w.get("usage") instanceof Map<?, ?> u) {
            Map<String, Object> cpu = PlanPrinter.map(u.get("cpu"));
            Map<String, Object> mem = PlanPrinter.map(u.get("memory"));
            out.printf("Usage:        cpu %s of %s cores (%s), memory %s of %s (%s)%s%n", TopCommand.cores(cpu.get("usageCores")),
                    TopCommand.cores(cpu.get("limitCores")), TopCommand.percent(cpu.get("percentOfLimit")),
                    TopCommand.bytes(mem.get("usageBytes")), TopCommand.bytes(mem.get("limitBytes")),
                    TopCommand.percent(mem.get("percentOfLimit")), Boolean.TRUE.equals(u.get("oomKilled")) ? ", OOMKilled" : "");
        }
        for (Object n : (List<?>) w.getOrDefault("notes", List.of())) {
            out.println("Note: " + n);
        }
        if (w.get("spec") != null) {
            out.println("Spec (desired):");
            Output.yaml(w.get("spec")).lines().forEach(l -> out.println("  " + l));
        } else {
            out.println("Spec (desired): none — no source declares it");
        }
        List<Map<String, Object>> events = PlanPrinter.list(w.get("events"));
        out.println("Events:" + (events.isEmpty() ? " none" : ""));
        for (Map<String, Object> e : events) {
            out.printf("  %s  %-14s %s%n", e.get("at"), e.get("type"), e.get("message"));
        }
    }

    private static void field(PrintWriter out, String label, Object value) {
        out.printf("%-13s %s%n", label + ":", value == null ? "-" : value);
    }
}
