package io.berth.cli;

import io.berth.api.dto.OutcomeView;
import io.berth.manifest.Workload;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

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

    @Override
    public Integer call() {
        PrintWriter out = connection.out();
        Set<String> names = new LinkedHashSet<>();
        List<String> networks = List.of();
        if (target.names != null) {
            names.addAll(target.names);
        } else {
            ManifestInput input = new ManifestInput();
            input.paths = target.paths;
            input.load(connection.err()).stream().map(Workload::name).forEach(names::add);
            networks = input.networks().stream().map(io.berth.manifest.NetworkManifest::name).toList();
        }
        List<OutcomeView> outcomes;
        try (Operations ops = connection.operations()) {
            Operations.DeleteProgress progress = new Operations.DeleteProgress() {
                @Override
                public void notPresent(String name) {
                    out.printf("%s: not present%n", name);
                }

                @Override
                public void done(OutcomeView o) {
                    synchronized (out) {
                        out.println(o.ok() ? o.name() + ": deleted" : o.name() + ": failed: " + o.error());
                        out.flush();
                    }
                }
            };
            outcomes = new java.util.ArrayList<>(ops.delete(names, target.names != null, gracePeriod, progress));
            if (!networks.isEmpty()) {
                outcomes.addAll(ops.deleteNetworks(networks, progress)); // after the workloads that were on them
            }
        }
        out.println(PlanPrinter.summary("Delete", outcomes));
        out.flush();
        return PlanPrinter.failed(outcomes) ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
