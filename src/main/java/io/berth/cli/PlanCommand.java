package io.berth.cli;

import io.berth.api.dto.PlanView;
import io.berth.manifest.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code agent plan}: what apply would change, per workload and field. Exit 0 none, 2 changes. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show what apply would change, per workload and field (exit 0: none, 2: changes).")
public class PlanCommand implements Callable<Integer> {

    @Mixin
    ManifestInput input;

    @Option(names = "--prune", description = "Also plan deleting workloads of these sources that the manifests no longer declare.")
    boolean prune;

    @Mixin
    Connection connection;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml")
    Output.Format output;

    @Override
    public Integer call() {
        List<Workload> desired = input.load(connection.err());
        PlanView plan;
        try (Operations ops = connection.operations()) {
            plan = ops.plan(input, desired, prune);
        }
        PrintWriter out = connection.out();
        switch (output) {
            case table -> PlanPrinter.human(plan, out);
            case json -> out.println(Output.json(plan));
            case yaml -> out.print(Output.yaml(plan));
        }
        out.flush();
        return plan.changes() ? ExitCodes.CHANGES : ExitCodes.OK;
    }
}
