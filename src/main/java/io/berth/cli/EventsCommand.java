package io.berth.cli;

import io.berth.api.dto.EventView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code agent events [--watch]}: the daemon's recent reconcile and runtime events; with --watch, then each new one. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Print the daemon's recent reconcile and runtime events; --watch keeps printing new ones.")
public class EventsCommand implements Callable<Integer> {

    @Option(names = {"-w", "--watch"}, description = "Keep printing events as they happen, until interrupted.")
    boolean watch;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (one JSON object per line)")
    Output.Format output;

    @Mixin
    Connection connection;

    @Override
    public Integer call() {
        PrintWriter out = connection.out();
        try (Operations ops = connection.operations()) {
            if (watch) {
                ops.watchEvents(e -> print(out, e));
            } else {
                ops.events().forEach(e -> print(out, e));
            }
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, EventView e) {
        if (output == Output.Format.table) {
            out.printf("%s  %-22s %-14s %s%n", e.at(), e.name() == null ? "-" : e.name(), e.type(), e.message());
        } else {
            out.println(Output.compactJson(e));
        }
        out.flush();
    }
}
