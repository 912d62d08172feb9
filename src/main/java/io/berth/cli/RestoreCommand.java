package io.berth.cli;

import io.berth.runtime.DeletedDisks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code agent restore NAME --deleted [--kept STAMP]}: puts a deleted VM's kept disk back in place
 * (the newest, or the set {@code STAMP}), through the daemon ({@code POST /api/v1/restore}) or with
 * {@code --local}; applying the VM's manifest again then creates it with that disk. Refused while a
 * workload of that name exists. {@code agent restore --from FILE [--as NEW]}: the same from a
 * backup archive (made here or on another host), verified whole first; the manifest to apply is
 * printed on stdout, what was done on stderr. Exit 0 restored, 1 refused.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Put a deleted VM's kept disk back in place (NAME --deleted), or a backup archive's (--from FILE);"
                + " applying its manifest then boots it with its data.")
public class RestoreCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME", arity = "0..1")
    String name;

    @Option(names = "--from", paramLabel = "FILE", description = "A backup archive made by agent backup (on this or another host).")
    java.nio.file.Path from;

    @Option(names = "--as", paramLabel = "NEW", description = "With --from: restore under this name instead of the archive's.")
    String as;

    @Option(names = "--deleted", description = "Restore the disk Berth kept when the VM was deleted or its disk replaced.")
    boolean deleted;

    @Option(names = "--kept", paramLabel = "STAMP",
            description = "Which kept disk (its directory under STATE/deleted/NAME/, e.g. 20261201T221530Z; default: the newest).")
    String kept;

    @Mixin
    Connection connection;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
    Output.Format output;

    @Override
    public Integer call() {
        if (from != null) {
            return fromArchive();
        }
        if (name == null) {
            throw new UserError("say what to restore: NAME --deleted, or --from FILE [--as NEW]; nothing was changed");
        }
        if (as != null) {
            throw new UserError("--as goes with --from FILE (a deleted VM comes back under its own name); nothing was changed");
        }
        if (!deleted) {
            throw new UserError("say what to restore from: --deleted (the disk kept when " + name + " was deleted);"
                    + " nothing was changed");
        }
        DeletedDisks.Restored answer;
        try (Operations ops = connection.operations()) {
            answer = ops.restoreDeleted(name, kept);
        }
        PrintWriter out = connection.out();
        if (output == Output.Format.json) {
            out.println(Output.json(answer));
        } else {
            out.printf("%s: restored the disk kept at %s from %s%n", name, answer.keptAt(), answer.from());
            for (String f : answer.files()) {
                out.printf("%s:   %s%n", name, f);
            }
            if (!answer.stillKept().isEmpty()) {
                out.printf("%s:   still kept: %s%n", name, String.join(", ", answer.stillKept()));
            }
            out.printf("%s: next: %s%n", name, answer.next());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private int fromArchive() {
        if (name != null || deleted || kept != null) {
            throw new UserError("--from FILE restores the archive's workload (--as NEW for another name): give no NAME,"
                    + " --deleted or --kept with it; nothing was changed");
        }
        PrintWriter out = connection.out();
        PrintWriter err = connection.err();
        ArchiveProgress progress = new ArchiveProgress(err, output != Output.Format.json && DownloadProgress.stderrIsTerminal());
        io.berth.api.dto.RestoreAnswer a;
        try (Operations ops = connection.operations()) {
            a = ops.restoreFrom(from.toAbsolutePath().normalize(), as, progress);
        } finally {
            progress.finish();
        }
        if (output == Output.Format.json) {
            out.println(Output.json(a));
        } else {
            err.printf("%s: restored %s (%s of host %s, made %s), every part's sha256 verified%n", a.name(), a.from(),
                    a.source(), a.sourceHost(), a.created());
            a.files().forEach(f -> err.printf("%s:   %s%n", a.name(), f));
            a.notes().forEach(n -> err.printf("%s:   note: %s%n", a.name(), n));
            err.printf("%s: next: %s (printed on stdout: agent restore ... > %s.yaml; agent apply -f %s.yaml)%n", a.name(),
                    a.next(), a.name(), a.name());
            err.flush();
            out.print(a.manifest());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
