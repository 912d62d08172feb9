package io.berth.cli;

import io.berth.api.Views;
import io.berth.manifest.HostIdentity;
import io.berth.manifest.Workload;
import io.berth.plan.Plan;
import io.berth.plan.PlanOptions;
import io.berth.plan.Planner;
import io.berth.reconcile.ApplyResult;
import io.berth.reconcile.Executor;
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
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agent apply}: validate everything first (nothing is applied if any manifest is invalid),
 * plan, then carry the plan out with a line per workload as it finishes — through the daemon, which
 * records the manifests as its desired state and reconciles them, or with {@code --local} directly.
 */
@Command(name = "apply", mixinStandardHelpOptions = true, description = "Make the host match the manifests.")
public class ApplyCommand implements Callable<Integer> {

    /** How long the client waits for the daemon's apply (the daemon itself gives up after 10 minutes). */
    static final Duration REMOTE_TIMEOUT = Duration.ofMinutes(11);

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Trace.mark("main");
        List<Workload> desired = input.load(spec.commandLine().getErr());
        Trace.mark("loaded");
        boolean table = output == Output.Format.table;
        if (!connection.local()) {
            Map<String, Object> answer = PlanPrinter.map(connection.client().post("api/v1/apply?prune=" + prune
                    + "&dryRun=" + dryRun, input.filesBody(), ManifestInput.FILES_TYPE, REMOTE_TIMEOUT));
            List<Map<String, Object>> result = PlanPrinter.list(answer.get("result"));
            if (table && !dryRun) {
                result.stream().filter(ApplyCommand::worthALine).forEach(o -> PlanPrinter.progress(out, o));
            }
            Map<String, Object> plan = new java.util.LinkedHashMap<>(PlanPrinter.map(answer.get("plan")));
            plan.put("elsewhere", answer.getOrDefault("elsewhere", List.of()));
            return finish(out, plan, result);
        }
        HostIdentity host = ManifestInput.localHost();
        List<Workload> here = ManifestInput.placedHere(desired, host);
        List<String> elsewhere = ManifestInput.elsewhere(desired, host);
        try (Session session = Session.local()) {
            List<Observed> observed = session.observe(Session.kinds(here), spec.commandLine().getErr());
            Trace.mark("observed");
            Plan plan = Planner.plan(here, observed, new PlanOptions(prune, input.sources(), session.runtimes().redaction()));
            Trace.mark("planned");
            Map<String, Object> planTree = Views.plan(plan);
            planTree.put("elsewhere", elsewhere);
            if (dryRun) {
                return finish(out, planTree, List.of());
            }
            Executor executor = new Executor(session.runtimes(),
                    w -> new Ownership(session.agent(), input.sourceOf(w)), parallelism, Duration.ofSeconds(gracePeriod));
            ApplyResult result = executor.execute(plan, o -> {
                if (table && o.action().hasEffect()) {
                    PlanPrinter.progress(out, Views.outcome(o));
                }
            });
            Trace.mark("applied");
            return finish(out, planTree, result.outcomes().stream().map(Views::outcome).toList());
        }
    }

    /** The summary (table) or the whole answer (JSON); exit 1 if any workload failed. */
    private int finish(PrintWriter out, Map<String, Object> plan, List<Map<String, Object>> result) {
        if (output == Output.Format.table) {
            if (dryRun) {
                out.println("Dry run: nothing will be changed.");
                PlanPrinter.human(plan, out);
            } else {
                PlanPrinter.elsewhere(plan, out);
                out.println(PlanPrinter.summary("Apply", result));
            }
        } else {
            out.println(Output.json(dryRun ? plan : Map.of("plan", plan, "result", result)));
        }
        out.flush();
        return PlanPrinter.failed(result) ? ExitCodes.FAILED : ExitCodes.OK;
    }

    private static boolean worthALine(Map<String, Object> o) {
        return !Boolean.TRUE.equals(o.get("ok")) || !"unchanged".equals(o.get("done"));
    }
}
