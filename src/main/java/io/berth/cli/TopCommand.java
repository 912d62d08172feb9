package io.berth.cli;

import io.berth.manifest.Quantities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import io.berth.stats.HostSample;
import io.berth.stats.StatsSnapshot;
import io.berth.stats.WorkloadSample;
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

    @Override
    public Integer call() throws InterruptedException {
        if (interval < 1) {
            throw new UserError("--interval must be at least 1 second");
        }
        PrintWriter out = connection.out();
        try (Operations ops = connection.operations()) {
            do {
                StatsSnapshot stats = ops.stats();
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
        }
        return ExitCodes.OK;
    }

    static void table(StatsSnapshot stats, PrintWriter out) {
        out.printf(FORMAT, "NAME", "KIND", "CPU(cores)", "CPU%", "MEMORY used/limit", "MEM%");
        List<WorkloadSample> workloads = new java.util.ArrayList<>(stats.workloads());
        workloads.sort(Comparator.comparing(w -> String.valueOf(w.name())));
        for (WorkloadSample w : workloads) {
            WorkloadSample.Cpu cpu = w.cpu();
            WorkloadSample.Memory mem = w.memory();
            out.printf(FORMAT, w.name(), w.kind(), cores(cpu.usageCores()) + "/" + cores(cpu.limitCores()),
                    percent(cpu.percentOfLimit()), bytes(mem.usageBytes()) + "/" + bytes(mem.limitBytes()),
                    percent(mem.percentOfLimit()) + (w.oomKilled() ? " OOMKilled" : ""));
        }
        HostSample.Cpu cpu = stats.host().cpu();
        HostSample.Memory mem = stats.host().memory();
        out.printf("HOST cpu: %s used, %s allocated of %s; memory: %s used, %s allocated of %s%n",
                cores(cpu.usageCores()), cores(cpu.allocatedCores()), cores(cpu.capacityCores()),
                bytes(mem.usageBytes()), bytes(mem.allocatedBytes()), bytes(mem.capacityBytes()));
    }

    /** Cores with two decimals, "-" when there is no number (no limit). */
    static String cores(Double v) {
        return v != null ? String.format("%.2f", v) : "-";
    }

    static String percent(Double v) {
        return v != null ? String.format("%.0f%%", v) : "-";
    }

    static String bytes(Long v) {
        if (v == null) {
            return "-";
        }
        long b = v;
        return b >= (1L << 30) ? String.format("%.1fGi", b / (double) (1L << 30))
                : b >= (1L << 20) ? String.format("%.1fMi", b / (double) (1L << 20)) : Quantities.formatMemory(Math.max(b, 0));
    }
}
