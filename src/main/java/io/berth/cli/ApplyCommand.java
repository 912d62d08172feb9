package io.berth.cli;

import io.berth.api.dto.ApplyAnswer;
import io.berth.api.dto.OutcomeView;
import io.berth.manifest.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code agent apply}: validate everything first (nothing is applied if any manifest is invalid),
 * plan, then carry the plan out with a line per workload as it finishes — through the daemon, which
 * records the manifests as its desired state and reconciles them, or with {@code --local} directly.
 */
@Command(name = "apply", mixinStandardHelpOptions = true, description = "Make the host match the manifests.")
public class ApplyCommand implements Callable<Integer> {

    @Mixin
    ManifestInput input;

    @Option(names = "--prune", description = "Delete workloads of these sources that the manifests no longer declare.")
    boolean prune;

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Mixin
    Connection connection;

    @Option(names = "--parallelism", defaultValue = "16", description = "Workloads changed at once with --local (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--grace-period", defaultValue = "10", paramLabel = "SECONDS",
            description = "Seconds a workload gets to stop before it is killed, with --local (default ${DEFAULT-VALUE}).")
    int gracePeriod;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
    Output.Format output;

    @Override
    public Integer call() {
        PrintWriter out = connection.out();
        Trace.mark("main");
        List<Workload> desired = input.load(connection.err());
        Trace.mark("loaded");
        boolean lines = output == Output.Format.table && !dryRun;
        Consumer<OutcomeView> progress = lines ? o -> PlanPrinter.progress(out, o) : o -> { };
        ApplyAnswer answer;
        try (Operations ops = connection.operations()) {
            answer = ops.apply(input, desired, prune, dryRun, parallelism, gracePeriod, progress);
        }
        if (output == Output.Format.table) {
            if (dryRun) {
                out.println("Dry run: nothing will be changed.");
                PlanPrinter.human(answer.plan(), out);
            } else {
                PlanPrinter.elsewhere(answer.plan(), out);
                out.println(PlanPrinter.summary("Apply", answer.result()));
            }
        } else {
            out.println(Output.json(dryRun ? answer.plan() : answer));
        }
        out.flush();
        return answer.failed() ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
