package io.berth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code agent events [--watch]}: the daemon's recent reconcile and runtime events; with --watch, then each new one. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Print the daemon's recent reconcile and runtime events; --watch keeps printing new ones.")
public class EventsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = {"-w", "--watch"}, description = "Keep printing events as they happen, until interrupted.")
    boolean watch;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (one JSON object per line)")
    Output.Format output;

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Client client = connection.daemonOnly("events are kept by the daemon (agent serve); there is no --local mode");
        if (!watch) {
            PlanPrinter.list(client.get("api/v1/events")).forEach(e -> print(out, e));
            return ExitCodes.OK;
        }
        client.lines("api/v1/events?watch=true", line -> {
            if (line.startsWith("data: ")) {
                try {
                    print(out, PlanPrinter.map(JSON.readValue(line.substring(6), Map.class)));
                } catch (IOException e) {
                    throw new UserError("the daemon sent an event that is not JSON: " + line);
                }
            }
        });
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, Map<String, Object> e) {
        if (output == Output.Format.table) {
            out.printf("%s  %-22s %-14s %s%n", e.get("at"), e.get("name") == null ? "-" : e.get("name"), e.get("type"),
                    e.get("message"));
        } else {
            try {
                out.println(JSON.writeValueAsString(e));
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }
        out.flush();
    }
}
