package io.berth.cli;

import io.berth.runtime.LogSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.util.concurrent.Callable;

/** {@code agent logs NAME [-f]}: a container's output, or a VM's serial console. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print a workload's output: a container's stdout/stderr, a VM's serial console.")
public class LogsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until interrupted.")
    boolean follow;

    @Option(names = "--tail", defaultValue = "-1", paramLabel = "LINES",
            description = "Only the last LINES lines (default: all).")
    int tail;

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!connection.local()) {
            connection.client().stream("api/v1/workloads/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
                    + "/logs?tail=" + tail + "&follow=" + follow, new FileOutputStream(FileDescriptor.out));
            return ExitCodes.OK;
        }
        try (Session session = Session.local()) {
            if (session.runtimes().owner(name).orElse(null) instanceof LogSource logs) {
                logs.logs(name, tail, follow, new FileOutputStream(FileDescriptor.out));
                return ExitCodes.OK;
            }
            throw new UserError("no workload named \"" + name + "\" is managed by agent " + session.agent()
                    + " (see `agent get`)");
        }
    }
}
