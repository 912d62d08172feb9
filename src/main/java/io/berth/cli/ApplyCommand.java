package io.berth.cli;

import io.berth.manifest.Workload;
import io.berth.plan.Plan;
import io.berth.plan.PlanOptions;
import io.berth.plan.Planner;
import io.berth.reconcile.ApplyResult;
import io.berth.reconcile.Executor;
import io.berth.reconcile.Outcome;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code agent apply}: validate everything first (nothing is applied if any manifest is invalid),
 * plan, then carry the plan out with a progress line per workload as it finishes.
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
    LocalMode local;

    @Option(names = "--parallelism", defaultValue = "16", description = "Workloads changed at once (default ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--grace-period", defaultValue = "10", paramLabel = "SECONDS",
            description = "Seconds a workload gets to stop before it is killed (default ${DEFAULT-VALUE}).")
    int gracePeriod;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
    Output.Format output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Trace.mark("main");
        List<Workload> desired = input.load(spec.commandLine().getErr());
        Trace.mark("loaded");
        try (Session session = Session.local()) {
            List<Observed> observed = session.observe(Session.kinds(desired), spec.commandLine().getErr());
            Trace.mark("observed");
            Plan plan = Planner.plan(desired, observed, new PlanOptions(prune, input.sources()));
            Trace.mark("planned");
            if (dryRun) {
                if (output == Output.Format.table) {
                    out.println("Dry run: nothing will be changed.");
                    PlanPrinter.human(plan, out);
                } else {
                    out.println(Output.json(PlanPrinter.tree(plan)));
                }
                return ExitCodes.OK;
            }
            Executor executor = new Executor(session.runtimes(),
                    w -> new Ownership(session.agent(), input.sourceOf(w)), parallelism, Duration.ofSeconds(gracePeriod));
            boolean table = output == Output.Format.table;
            ApplyResult result = executor.execute(plan, o -> {
                if (table && o.action().hasEffect()) {
                    progress(out, o);
                }
            });
            Trace.mark("applied");
            if (table) {
                out.println(summary(result));
            } else {
                out.println(Output.json(Map.of("plan", PlanPrinter.tree(plan), "result", resultTree(result))));
            }
            out.flush();
            return result.failed() ? ExitCodes.FAILED : ExitCodes.OK;
        }
    }

    private static void progress(PrintWriter out, Outcome o) {
        synchronized (out) {
            if (o.ok()) {
                out.printf("%s: %s (%.2fs)%n", o.action().name(), o.done(), o.took().toMillis() / 1000.0);
                o.notes().forEach(n -> out.printf("%s:   note: %s%n", o.action().name(), n));
            } else {
                out.printf("%s: failed: %s%n", o.action().name(), o.error());
            }
            out.flush();
        }
    }

    static String summary(ApplyResult result) {
        String counts = result.summary().entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        return (result.failed() ? "Apply failed: " : "Apply complete: ") + (counts.isEmpty() ? "nothing to do" : counts) + ".";
    }

    private static List<Object> resultTree(ApplyResult result) {
        return result.outcomes().stream().map(o -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("name", o.action().name());
            m.put("action", o.action().verb());
            m.put("ok", o.ok());
            m.put("error", o.error());
            m.put("seconds", o.took().toMillis() / 1000.0);
            m.put("notes", o.notes());
            return (Object) m;
        }).toList();
    }
}
