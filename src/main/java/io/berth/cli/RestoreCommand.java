package io.berth.cli;

import io.berth.runtime.DeletedDisks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!deleted) {
            throw new UserError("say what to restore from: --deleted (the disk kept when " + name + " was deleted);"
                    + " nothing was changed");
        }
        Map<String, Object> answer;
        if (connection.local()) {
            try (Session session = Session.local()) {
                java.time.Duration retention;
                try {
                    retention = DeletedDisks.retentionFromEnvironment();
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage());
                }
                answer = DeletedDisks.restore(session.runtimes(), name, kept, retention);
            }
        } else {
            answer = PlanPrinter.map(connection.client().post("api/v1/restore?deleted=true&name="
                    + URLEncoder.encode(name, StandardCharsets.UTF_8)
                    + (kept == null ? "" : "&kept=" + URLEncoder.encode(kept, StandardCharsets.UTF_8)),
                    new byte[0], "application/json", Duration.ofSeconds(120)));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output == Output.Format.json) {
            out.println(Output.json(answer));
        } else {
            out.printf("%s: restored the disk kept at %s from %s%n", name, answer.get("keptAt"), answer.get("from"));
            for (Object f : (List<?>) answer.getOrDefault("files", List.of())) {
                out.printf("%s:   %s%n", name, f);
            }
            List<?> still = (List<?>) answer.getOrDefault("stillKept", List.of());
            if (!still.isEmpty()) {
                out.printf("%s:   still kept: %s%n", name, String.join(", ", still.stream().map(Object::toString).toList()));
            }
            out.printf("%s: next: %s%n", name, answer.get("next"));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
