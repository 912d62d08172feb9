package io.berth.cli;

import io.berth.manifest.Quantities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agent top [--watch]}: live utilization from the daemon's sampler — CPU in cores and as
 * a share of the limit, memory working set against the limit — and how full the host is.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Show live CPU and memory use of every workload against its limits, and the host's (needs the daemon).")
public class TopCommand implements Callable<Integer> {

    static final String FORMAT = "%-24s %-15s %10s %7s %22s %7s%n";

    @Option(names = {"-w", "--watch"}, description = "Refresh in place every --interval until interrupted.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "2", paramLabel = "SECONDS", description = "Refresh period with --watch (default ${DEFAULT-VALUE}).")
    int interval;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
    Output.Format output;

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (interval < 1) {
            throw new UserError("--interval must be at least 1 second");
        }
        PrintWriter out = spec.commandLine().getOut();
        Client client = connection.daemonOnly("top reads the daemon's sampler (agent serve); there is no --local mode");
        do {
            Map<String, Object> stats = PlanPrinter.map(client.get("api/v1/stats"));
            if (output == Output.Format.table) {
                if (watch) {
                    out.print("\033[H\033[2J"); // home and clear: refresh in place
                }
                table(stats, out);
            } else {
                out.println(Output.json(stats));
            }
            out.flush();
            if (watch) {
                Thread.sleep(interval * 1000L);
            }
        } while (watch);
        return ExitCodes.OK;
    }

    static void table(Map<String, Object> stats, PrintWriter out) {
        out.printf(FORMAT, "NAME", "KIND", "CPU(cores)", "CPU%", "MEMORY used/limit", "MEM%");
        List<Map<String, Object>> workloads = new java.util.ArrayList<>(PlanPrinter.list(stats.get("workloads")));
        workloads.sort(Comparator.comparing(w -> String.valueOf(w.get("name"))));
        for (Map<String, Object> w : workloads) {
            Map<String, Object> cpu = PlanPrinter.map(w.get("cpu"));
            Map<String, Object> mem = PlanPrinter.map(w.get("memory"));
            out.printf(FORMAT, w.get("name"), w.get("kind"), cores(cpu.get("usageCores")) + "/" + cores(cpu.get("limitCores")),
                    percent(cpu.get("percentOfLimit")), bytes(mem.get("usageBytes")) + "/" + bytes(mem.get("limitBytes")),
                    percent(mem.get("percentOfLimit")) + (Boolean.TRUE.equals(w.get("oomKilled")) ? " OOMKilled" : ""));
        }
        Map<String, Object> host = PlanPrinter.map(stats.get("host"));
        Map<String, Object> cpu = PlanPrinter.map(host.get("cpu"));
        Map<String, Object> mem = PlanPrinter.map(host.get("memory"));
        out.printf("HOST cpu: %s used, %s allocated of %s; memory: %s used, %s allocated of %s%n",
                cores(cpu.get("usageCores")), cores(cpu.get("allocatedCores")), cores(cpu.get("capacityCores")),
                bytes(mem.get("usageBytes")), bytes(mem.get("allocatedBytes")), bytes(mem.get("capacityBytes")));
    }

    static String cores(Object v) {
        return v instanceof Number n ? String.format("%.2f", n.doubleValue()) : "-";
    }

    static String percent(Object v) {
        return v instanceof Number n ? String.format("%.0f%%", n.doubleValue()) : "-";
    }

    static String bytes(Object v) {
        if (!(v instanceof Number n)) {
            return "-";
        }
        long b = n.longValue();
        return b >= (1L << 30) ? String.format("%.1fGi", b / (double) (1L << 30))
                : b >= (1L << 20) ? String.format("%.1fMi", b / (double) (1L << 20)) : Quantities.formatMemory(Math.max(b, 0));
    }
}
