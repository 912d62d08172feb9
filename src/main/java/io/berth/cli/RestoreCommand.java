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
 * workload of that name exists. Exit 0 restored, 1 refused.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Put a deleted VM's kept disk back in place; applying its manifest again then boots it with its data.")
public class RestoreCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME")
    String name;

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
}
