package io.berth.cli;

import io.berth.api.dto.BackupAnswer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code agent backup NAME... --to DIR} (CONTRACT §6.2): one self-contained archive per workload,
 * {@code DIR/NAME-<UTC>.berth.tar}, through the daemon ({@code POST /api/v1/workloads/NAME/backup},
 * DIR on the daemon's host; its progress events followed) or with {@code --local}; progress on stderr either way. One after the other;
 * a workload that fails is reported and the others still run. Exit 0 all written, 1 any refused.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Write a self-contained backup archive of each VM (spec, flattened disk, sha256 of every part).")
public class BackupCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "The directory to write the archives into.")
    Path to;

    @Mixin
    Connection connection;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
    Output.Format output;

    @Override
    public Integer call() {
        PrintWriter out = connection.out();
        PrintWriter err = connection.err();
        ArchiveProgress progress = new ArchiveProgress(err, output == Output.Format.table && DownloadProgress.stderrIsTerminal());
        List<BackupAnswer> made = new ArrayList<>();
        int failed = 0;
        Path dir = to.toAbsolutePath().normalize();
        try (Operations ops = connection.operations()) {
            for (String name : names) {
                try {
                    BackupAnswer a = ops.backup(name, dir, progress);
                    progress.finish();
                    made.add(a);
                    if (output != Output.Format.json) {
                        out.printf("%s: backed up to %s (%s, %.1f s)%n", name, a.file(), ArchiveProgress.mib(a.sizeBytes()),
                                a.seconds());
                        out.printf("%s:   point in time: snapshot %s at %s, deleted again%n", name, a.snapshot(), a.pointInTime());
                        a.notes().forEach(n -> out.printf("%s:   note: %s%n", name, n));
                        out.flush();
                    }
                } catch (io.berth.runtime.RuntimeFailure | UserError e) {
                    progress.finish();
                    failed++;
                    err.println("error: " + e.getMessage());
                    err.flush();
                }
            }
        }
        if (output == Output.Format.json) {
            out.println(Output.json(made));
        }
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
