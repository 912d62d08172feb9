package io.berth.cli;

import io.berth.api.Views;
import io.berth.runtime.Observed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agent get [NAME]}: the workloads with state, phase and enforced limits — the daemon's
 * view (desired and observed, with the phase of its last reconcile), or with {@code --local} what
 * the runtimes report.
 */
@Command(name = "get", mixinStandardHelpOptions = true, description = "List workloads with their phase, state and the limits the runtime enforces.")
public class GetCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml")
    Output.Format output;

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> all = connection.local() ? local() : remote();
        switch (output) {
            case table -> {
                table(all, out, !connection.local());
                if (!connection.local() && name == null) {
                    gitSource().ifPresent(g -> out.println(PlanPrinter.gitLine(g)));
                }
            }
            case json -> out.println(Output.json(all));
            case yaml -> out.print(Output.yaml(all));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The daemon's git source, when it has one (404 otherwise). */
    private java.util.Optional<Map<String, Object>> gitSource() {
        try {
            return java.util.Optional.of(PlanPrinter.map(connection.client().get("api/v1/git")));
        } catch (UserError e) {
            return java.util.Optional.empty();
        }
    }

    private List<Map<String, Object>> remote() {
        Client client = connection.client();
        if (name != null) {
            return List.of(PlanPrinter.map(client.get("api/v1/workloads/" + URLEncoder.encode(name, StandardCharsets.UTF_8))));
        }
        return PlanPrinter.list(client.get("api/v1/workloads"));
    }

    private List<Map<String, Object>> local() {
        try (Session session = Session.local()) {
            List<Observed> found = new ArrayList<>(session.observe(session.runtimes().kinds(), spec.commandLine().getErr()));
            found.sort(Comparator.comparing(Observed::name));
            if (name != null) {
                found.removeIf(o -> !o.name().equals(name));
                if (found.isEmpty()) {
                    throw new UserError("no workload named \"" + name + "\" is managed by agent " + session.agent());
                }
            }
            return found.stream().map(Views::observed).toList();
        }
    }

    /** @param phases the daemon's phase column (local mode has no daemon, so no phases) */
    private static void table(List<Map<String, Object>> all, PrintWriter out, boolean phases) {
        String format = phases ? "%-24s %-15s %-9s %-10s %-10s %-10s %s%n" : "%-24s %-15s %-10s %-10s %-10s %s%n";
        List<Object> header = new ArrayList<>(List.of("NAME", "KIND", "STATE", "CPU", "MEMORY", "IMAGE"));
        if (phases) {
            header.add(2, "PHASE");
        }
        out.printf(format, header.toArray());
        for (Map<String, Object> m : all) {
            Map<String, Object> limits = PlanPrinter.map(m.get("limits"));
            List<Object> row = new ArrayList<>(List.of(m.get("name"), m.get("kind"), state(m),
                    String.valueOf(limits.get("cpu")), String.valueOf(limits.get("memory")), m.getOrDefault("image", "") == null
                            ? "" : m.getOrDefault("image", "")));
            if (phases) {
                row.add(2, m.get("phase") == null ? "-" : m.get("phase"));
            }
            out.printf(format, row.toArray());
        }
    }

    private static String state(Map<String, Object> m) {
        return m.get("exitCode") == null ? String.valueOf(m.get("state")) : m.get("state") + "(" + m.get("exitCode") + ")";
    }
}
