package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agent reconcile}: ask the daemon to re-check every workload now instead of at the next resync. */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = "Trigger a reconcile of every workload now (needs the daemon).")
public class ReconcileCommand implements Callable<Integer> {

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Client client = connection.daemonOnly("reconcile asks the daemon (agent serve); without one, run `agent apply --local`");
        Map<String, Object> r = PlanPrinter.map(client.post("api/v1/reconcile", new byte[0], "application/json",
                Duration.ofSeconds(60)));
        spec.commandLine().getOut().printf("Reconcile %s: %s workloads enqueued.%n", r.get("id"), r.get("enqueued"));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
