package io.berth.cli;

import io.berth.api.dto.FailedView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.RevisionView;
import io.berth.api.dto.RunView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
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

    @Override
    public Integer call() throws InterruptedException {
        if (!output.equals("text") && !output.equals("json")) {
            throw new UserError("--output: " + output + " is not one of text, json");
        }
        if (timeout.isZero()) {
            throw new UserError("--timeout must be longer than 0 (e.g. 90s, 5m)");
        }
        PrintWriter out = connection.out();
        try (Operations ops = connection.operations()) {
            return await(ops, out);
        }
    }

    private int await(Operations ops, PrintWriter out) throws InterruptedException {
        RunView run = ops.reconcile();
        String id = run.id();
        if (!wait) {
            print(out, run, "Reconcile " + id + " started; `agent reconcile --wait` waits for the result.");
            return ExitCodes.OK;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL.toMillis(); // a run with nothing to change takes tens of ms: look soon, then less often
        while (run.running() && System.nanoTime() < deadline) {
            Thread.sleep(pause);
            pause = Math.min(pause * 2, POLL.toMillis());
            run = ops.run(id);
        }
        if (run.running()) {
            print(out, run, "Reconcile " + id + " still running after " + DurationConverter.format(timeout)
                    + "; the daemon goes on with it (see `agent get` and `agent events`).");
            return ExitCodes.FAILED;
        }
        boolean ok = run.succeeded();
        if (output.equals("json")) {
            print(out, run, null);
            return ok ? ExitCodes.OK : ExitCodes.FAILED;
        }
        GitView git = run.git();
        if (git != null) {
            out.println(PlanPrinter.gitLine(git));
        }
        List<FailedView> failed = run.failed() == null ? List.of() : run.failed();
        for (FailedView f : failed) {
            out.printf("%s: failed: %s%n", f.name(), f.error());
        }
        List<OutcomeView> workloads = run.workloads() == null ? List.of() : run.workloads();
        if (ok) {
            RevisionView applied = git == null ? null : git.applied();
            out.printf("Reconcile %s succeeded: %d workload(s) converged%s.%n", id, workloads.size(),
                    applied == null ? "" : " to revision " + applied.shortCommit());
        } else {
            String why = run.error() == null ? "" : git != null && git.error() != null
                    ? "; the fetched revision is not in force (see the git line)" : "; " + run.error();
            out.printf("Reconcile %s failed: %d of %d workload(s) failed%s.%n", id, failed.size(), workloads.size(), why);
        }
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private void print(PrintWriter out, RunView run, String text) {
        if (output.equals("json")) {
            out.println(Output.json(run));
        } else {
            out.println(text);
        }
        out.flush();
    }
}
