package io.berth.cli;

import io.berth.manifest.Workload;
import io.berth.plan.Plan;
import io.berth.plan.PlanOptions;
import io.berth.plan.Planner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code agent plan}: what apply would change, per workload and field. Exit 0 none, 2 changes. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show what apply would change, per workload and field (exit 0: none, 2: changes).")
public class PlanCommand implements Callable<Integer> {

    @Mixin
    ManifestInput input;

    @Option(names = "--prune", description = "Also plan deleting workloads of these sources that the manifests no longer declare.")
    boolean prune;

    @Mixin
    LocalMode local;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
    Output.Format output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Workload> desired = input.load(spec.commandLine().getErr());
        try (Session session = Session.local()) {
            Plan plan = Planner.plan(desired, session.observe(Session.kinds(desired), spec.commandLine().getErr()), new PlanOptions(prune, input.sources()));
            if (output == Output.Format.table) {
                PlanPrinter.human(plan, spec.commandLine().getOut());
            } else {
                spec.commandLine().getOut().println(output == Output.Format.json
                        ? Output.json(PlanPrinter.tree(plan)) : Output.yaml(PlanPrinter.tree(plan)));
            }
            return plan.hasChanges() ? ExitCodes.CHANGES : ExitCodes.OK;
        }
    }
}
