package io.berth.cli;

import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Quantities;
import io.berth.runtime.Observed;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agent get [NAME]}: the workloads this agent manages, with state and enforced limits. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "List managed workloads with their state and the limits the runtime enforces.")
public class GetCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml")
    Output.Format output;

    @Mixin
    LocalMode local;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session session = Session.local()) {
            List<Observed> all = new ArrayList<>(session.observe(session.runtimes().keySet(), spec.commandLine().getErr()));
            all.sort(Comparator.comparing(Observed::name));
            if (name != null) {
                all.removeIf(o -> !o.name().equals(name));
                if (all.isEmpty()) {
                    throw new UserError("no workload named \"" + name + "\" is managed by agent " + session.agent());
                }
            }
            switch (output) {
                case table -> table(all, out);
                case json -> out.println(Output.json(trees(all)));
                case yaml -> out.print(Output.yaml(trees(all)));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static void table(List<Observed> all, PrintWriter out) {
        String format = "%-24s %-15s %-10s %-10s %-10s %s%n";
        out.printf(format, "NAME", "KIND", "STATE", "CPU", "MEMORY", "IMAGE");
        for (Observed o : all) {
            out.printf(format, o.name(), o.kind(), state(o), cpu(o.limits().cpuMillis()),
                    memory(o.limits().memoryBytes()), image(o));
        }
    }

    private static List<Object> trees(List<Observed> all) {
        List<Object> list = new ArrayList<>();
        for (Observed o : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.name());
            m.put("kind", o.kind().name());
            m.put("state", o.state().name());
            m.put("exitCode", o.exitCode());
            m.put("oomKilled", o.oomKilled());
            m.put("id", o.runtimeId());
            m.put("source", o.source());
            m.put("agent", o.agent());
            m.put("specHash", o.specHash());
            Map<String, Object> limits = new LinkedHashMap<>();
            limits.put("cpu", cpu(o.limits().cpuMillis()));
            limits.put("memory", memory(o.limits().memoryBytes()));
            limits.put("memorySwap", memory(o.limits().memorySwapBytes()));
            limits.put("pids", o.limits().pids());
            if (o.limits().memoryMaxBytes() > 0) {
                limits.put("memoryMax", memory(o.limits().memoryMaxBytes()));
            }
            m.put("limits", limits);
            m.put("notes", o.notes());
            list.add(m);
        }
        return list;
    }

    private static String state(Observed o) {
        return o.exitCode() == null ? o.state().name() : o.state().name() + "(" + o.exitCode() + ")";
    }

    /** The container image, or the VM's base disk image. */
    private static String image(Observed o) {
        if (o.applied() == null) {
            return "";
        }
        return switch (o.applied().spec()) {
            case ContainerSpec c -> c.image();
            case io.berth.manifest.VmSpec v -> v.disk().image();
        };
    }

    static String cpu(long millis) {
        return millis == 0 ? "unlimited" : Quantities.formatCpu(millis);
    }

    static String memory(long bytes) {
        return bytes <= 0 ? "unlimited" : Quantities.formatMemory(bytes);
    }
}
