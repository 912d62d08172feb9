package io.berth.cli;

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
 * {@code agent reconcile [--wait [--timeout D]]}: the daemon fetches its git source (if any) and
 * re-checks every workload now instead of at the next resync. With {@code --wait} — the pipeline's
 * step after a push — it waits for the result: exit 0 when the host converged to the revision,
 * 1 when it did not (naming the failing workloads), 3 when the daemon is unreachable.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Trigger a reconcile now: fetch the git source (if any), then re-check every workload (needs the daemon).",
                "With --wait: exit 0 when the host converged, 1 when it failed (the failing workloads are named),"
                        + " 3 when the daemon is unreachable."})
public class ReconcileCommand implements Callable<Integer> {

    private static final Duration FIRST_POLL = Duration.ofMillis(20);
    private static final Duration POLL = Duration.ofMillis(250);

    @Mixin
    Connection connection;

    @Option(names = "--wait", description = "Wait for the result and exit by it.")
    boolean wait;

    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "With --wait: how long to wait (e.g. 90s, 5m; default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (the run as the API returns it).")
    String output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (!output.equals("text") && !output.equals("json")) {
            throw new UserError("--output: " + output + " is not one of text, json");
        }
        if (timeout.isZero()) {
            throw new UserError("--timeout must be longer than 0 (e.g. 90s, 5m)");
        }
        Client client = connection.daemonOnly("reconcile asks the daemon (agent serve); without one, run `agent apply --local`");
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> run = PlanPrinter.map(client.post("api/v1/reconcile", new byte[0], "application/json",
                Duration.ofSeconds(60)));
        String id = (String) run.get("id");
        if (!wait) {
            print(out, run, "Reconcile " + id + " started; `agent reconcile --wait` waits for the result.");
            return ExitCodes.OK;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL.toMillis(); // a run with nothing to change takes tens of ms: look soon, then less often
        while ("Running".equals(run.get("state")) && System.nanoTime() < deadline) {
            Thread.sleep(pause);
            pause = Math.min(pause * 2, POLL.toMillis());
            run = PlanPrinter.map(client.get("api/v1/reconcile/" + id));
        }
        if ("Running".equals(run.get("state"))) {
            print(out, run, "Reconcile " + id + " still running after " + DurationConverter.format(timeout)
                    + "; the daemon goes on with it (see `agent get` and `agent events`).");
            return ExitCodes.FAILED;
        }
        boolean ok = "Succeeded".equals(run.get("state"));
        if (output.equals("json")) {
            print(out, run, null);
            return ok ? ExitCodes.OK : ExitCodes.FAILED;
        }
        Map<String, Object> git = PlanPrinter.mapOrNull(run.get("git"));
        if (git != null) {
            out.println(PlanPrinter.gitLine(git));
        }
        for (Map<String, Object> f : PlanPrinter.list(run.get("failed"))) {
            out.printf("%s: failed: %s%n", f.get("name"), f.get("error"));
        }
        List<Map<String, Object>> workloads = PlanPrinter.list(run.get("workloads"));
        if (ok) {
            Map<String, Object> applied = git == null ? null : PlanPrinter.mapOrNull(git.get("applied"));
            out.printf("Reconcile %s succeeded: %d workload(s) converged%s.%n", id, workloads.size(),
                    applied == null ? "" : " to revision " + PlanPrinter.shortCommit(applied));
        } else {
            int failed = PlanPrinter.list(run.get("failed")).size();
            String why = run.get("error") == null ? "" : git != null && git.get("error") != null
                    ? "; the fetched revision is not in force (see the git line)" : "; " + run.get("error");
            out.printf("Reconcile %s failed: %d of %d workload(s) failed%s.%n", id, failed, workloads.size(), why);
        }
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private void print(PrintWriter out, Map<String, Object> run, String text) {
        if (output.equals("json")) {
            out.println(Output.json(run));
        } else {
            out.println(text);
        }
        out.flush();
    }
}
