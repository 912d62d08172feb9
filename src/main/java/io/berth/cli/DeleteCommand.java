package io.berth.cli;

import io.berth.api.Views;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.reconcile.ApplyResult;
import io.berth.reconcile.Executor;
import io.berth.runtime.Observed;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code agent delete NAME... | -f PATH...}: remove managed workloads. Names that this agent does
 * not manage are an error and nothing is deleted, so a typo never half-applies.
 */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove managed workloads, by name or by manifest.")
public class DeleteCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static class Target {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Option(names = {"-f", "--filename"}, arity = "1..*", paramLabel = "PATH",
                description = "Delete the workloads these manifests declare.")
        List<String> paths;
    }

    @Option(names = "--grace-period", defaultValue = "10", paramLabel = "SECONDS",
            description = "Seconds a workload gets to stop before it is killed (default ${DEFAULT-VALUE}).")
    int gracePeriod;

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Set<String> names = new LinkedHashSet<>();
        if (target.names != null) {
            names.addAll(target.names);
        } else {
            ManifestInput input = new ManifestInput();
            input.paths = target.paths;
            input.load(spec.commandLine().getErr()).stream().map(Workload::name).forEach(names::add);
        }
        if (!connection.local()) {
            return remote(out, names);
        }
        try (Session session = Session.local()) {
            Map<String, Observed> managed = session.observe(Set.of(), spec.commandLine().getErr()).stream()
                    .collect(Collectors.toMap(Observed::name, Function.identity()));
            List<String> unknown = names.stream().filter(n -> !managed.containsKey(n)).toList();
            if (!unknown.isEmpty() && target.names != null) {
                throw new UserError("not managed by agent " + session.agent() + ": " + String.join(", ", unknown)
                        + "; nothing was deleted (see `agent get`)");
            }
            List<Action> deletes = new ArrayList<>();
            for (String n : names) {
                if (managed.containsKey(n)) {
                    deletes.add(new Action.Delete(managed.get(n), "requested"));
                } else {
                    out.printf("%s: not present%n", n);
                }
            }
            Executor executor = new Executor(session.runtimes(), w -> {
                throw new IllegalStateException("delete never creates");
            }, 16, Duration.ofSeconds(gracePeriod));
            ApplyResult result = executor.execute(new Plan(deletes), o -> line(out, Views.outcome(o)));
            return finish(out, result.outcomes().stream().map(Views::outcome).toList());
        }
    }

    /** Through the daemon: it removes each from its source (or, undeclared, directly) and waits for the delete. */
    private int remote(PrintWriter out, Set<String> names) {
        Client client = connection.client();
        Set<String> known = new java.util.HashSet<>();
        PlanPrinter.list(client.get("api/v1/workloads")).forEach(m -> known.add((String) m.get("name")));
        List<String> unknown = names.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty() && target.names != null) {
            throw new UserError("not declared or managed on this host: " + String.join(", ", unknown)
                    + "; nothing was deleted (see `agent get`)");
        }
        List<Map<String, Object>> outcomes = new ArrayList<>();
        for (String n : names) {
            if (!known.contains(n)) {
                out.printf("%s: not present%n", n);
                continue;
            }
            Map<String, Object> o = PlanPrinter.map(client.delete("api/v1/workloads/"
                    + URLEncoder.encode(n, StandardCharsets.UTF_8), ApplyCommand.REMOTE_TIMEOUT));
            line(out, o);
            outcomes.add(o);
        }
        return finish(out, outcomes);
    }

    private static void line(PrintWriter out, Map<String, Object> o) {
        synchronized (out) {
            out.println(Boolean.TRUE.equals(o.get("ok")) ? o.get("name") + ": deleted" : o.get("name") + ": failed: " + o.get("error"));
            out.flush();
        }
    }

    private static int finish(PrintWriter out, List<Map<String, Object>> outcomes) {
        out.println(PlanPrinter.summary("Delete", outcomes));
        out.flush();
        return PlanPrinter.failed(outcomes) ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
