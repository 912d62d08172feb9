package io.berth.cli;

import io.berth.api.Views;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;

import io.berth.manifest.HostIdentity;
import io.berth.manifest.Workload;
import io.berth.plan.PlanOptions;
import io.berth.plan.Planner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Workload> desired = input.load(spec.commandLine().getErr());
        Map<String, Object> plan;
        if (!connection.local()) {
            plan = PlanPrinter.map(connection.client().post("api/v1/plan?prune=" + prune, input.filesBody(),
                    ManifestInput.FILES_TYPE, Duration.ofSeconds(120)));
        } else {
            HostIdentity host = ManifestInput.localHost();
            List<Workload> here = ManifestInput.placedHere(desired, host);
            try (Session session = Session.local()) {
                plan = Views.plan(Planner.plan(here, session.observe(Session.kinds(here), spec.commandLine().getErr()),
                        new PlanOptions(prune, input.sources(), session.runtimes().redaction())));
            }
            plan.put("elsewhere", ManifestInput.elsewhere(desired, host));
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (output) {
            case table -> PlanPrinter.human(plan, out);
            case json -> out.println(Output.json(plan));
            case yaml -> out.print(Output.yaml(plan));
        }
        out.flush();
        return Boolean.TRUE.equals(plan.get("changes")) ? ExitCodes.CHANGES : ExitCodes.OK;
    }
}
