package io.berth.cli;

import io.berth.api.dto.SnapshotAnswer;
import io.berth.api.dto.SnapshotView;
import io.berth.manifest.Quantities;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code agent snapshot create|list|restore|delete} (CONTRACT §6.2): VM disk snapshots, through the
 * daemon ({@code /api/v1/workloads/NAME/snapshots}) or with {@code --local}. Exit 0 done, 1 refused
 * (no such workload or snapshot, an invalid or taken name, a container), 3 daemon unreachable.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Snapshots of a VM's disk: create, list, restore, delete.",
        subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListSnapshots.class, SnapshotCommand.Restore.class,
                SnapshotCommand.Delete.class})
public class SnapshotCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Freeze a VM's disk now (running or stopped): crash-consistent, quiesced when the guest has qemu-guest-agent.")
    static class Create extends Change {
        @Parameters(index = "1", arity = "0..1", paramLabel = "SNAPSHOT",
                description = "Its name (letters, digits, '-'; default: the UTC time, e.g. 20261201T2215Z).")
        String snapshot;

        @Override
        SnapshotAnswer run(Operations ops) {
            return ops.createSnapshot(name, snapshot);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the snapshots of one workload, or of all.")
    static class ListSnapshots implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;

        @Mixin
        Connection connection;

        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml")
        Output.Format output;

        @Override
        public Integer call() {
            PrintWriter out = connection.out();
            try (Operations ops = connection.operations()) {
                List<SnapshotView> all = ops.snapshots(name);
                switch (output) {
                    case table -> {
                        String format = "%-24s %-24s %-15s %-21s %-10s %s%n";
                        out.printf(format, "NAME", "WORKLOAD", "KIND", "CREATED", "SIZE", "MADE BY");
                        for (SnapshotView s : all) {
                            out.printf(format, s.name(), s.workload(), s.kind(), s.created().toString().replaceFirst("\\.[0-9]+Z$", "Z"),
                                    Quantities.formatMemory(s.sizeBytes()), s.madeBy());
                        }
                    }
                    case json -> out.println(Output.json(all));
                    case yaml -> out.print(Output.yaml(all));
                }
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Put a VM's disk back to a snapshot (the disk it had is kept as an automatic snapshot) and run it again; its spec stays the manifest's.")
    static class Restore extends Change {
        @Parameters(index = "1", paramLabel = "SNAPSHOT")
        String snapshot;

        @Option(names = "--grace-period", defaultValue = "30", paramLabel = "SECONDS",
                description = "How long the guest has to shut down before it is stopped (default 30).")
        int gracePeriod;

        @Override
        SnapshotAnswer run(Operations ops) {
            return ops.restoreSnapshot(name, snapshot, gracePeriod);
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Forget a snapshot; its data is removed unless the disk in use or another snapshot is built on it.")
    static class Delete extends Change {
        @Parameters(index = "1", paramLabel = "SNAPSHOT")
        String snapshot;

        @Override
        SnapshotAnswer run(Operations ops) {
            return ops.deleteSnapshot(name, snapshot);
        }
    }

    /** What create, restore and delete share: the workload, the connection, the output, the printing. */
    abstract static class Change implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        Connection connection;

        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml")
        Output.Format output;

        abstract SnapshotAnswer run(Operations ops);

        @Override
        public Integer call() {
            try (Operations ops = connection.operations()) {
                return print(connection.out(), output, run(ops));
            }
        }
    }

    static int print(PrintWriter out, Output.Format output, SnapshotAnswer a) {
        switch (output) {
            case table -> {
                SnapshotView s = a.snapshot();
                out.printf("%s: snapshot %s %s (%.1fs)%n", s.workload(), s.name(), a.action(), a.seconds());
                for (String note : a.notes()) {
                    out.printf("%s:   %s%n", s.workload(), note);
                }
            }
            case json -> out.println(Output.json(a));
            case yaml -> out.print(Output.yaml(a));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
