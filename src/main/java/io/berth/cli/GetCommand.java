package io.berth.cli;

import io.berth.api.dto.WorkloadView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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

    @Override
    public Integer call() {
        PrintWriter out = connection.out();
        try (Operations ops = connection.operations()) {
            List<WorkloadView> all = ops.get(name);
            switch (output) {
                case table -> {
                    table(all, out, ops.daemon());
                    if (name == null) {
                        ops.git().ifPresent(g -> out.println(PlanPrinter.gitLine(g)));
                    }
                }
                case json -> out.println(Output.json(all));
                case yaml -> out.print(Output.yaml(all));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** @param phases the daemon's phase column (local mode has no daemon, so no phases) */
    private static void table(List<WorkloadView> all, PrintWriter out, boolean phases) {
        String format = phases ? "%-24s %-15s %-9s %-10s %-10s %-10s %s%n" : "%-24s %-15s %-10s %-10s %-10s %s%n";
        List<Object> header = new ArrayList<>(List.of("NAME", "KIND", "STATE", "CPU", "MEMORY", "IMAGE"));
        if (phases) {
            header.add(2, "PHASE");
        }
        out.printf(format, header.toArray());
        for (WorkloadView w : all) {
            String cpu = w.limits() == null ? "null" : String.valueOf(w.limits().cpu());
            String memory = w.limits() == null ? "null" : String.valueOf(w.limits().memory());
            List<Object> row = new ArrayList<>(List.of(w.name(), w.kind(), state(w), cpu, memory,
                    w.image() == null ? "" : w.image()));
            if (phases) {
                row.add(2, w.phase() == null ? "-" : w.phase());
            }
            out.printf(format, row.toArray());
        }
    }

    private static String state(WorkloadView w) {
        return w.exitCode() == null ? String.valueOf(w.state()) : w.state() + "(" + w.exitCode() + ")";
    }
}
