package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
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

    @Override
    public Integer call() {
        try (Operations ops = connection.operations()) {
            ops.logs(name, tail, follow, new FileOutputStream(FileDescriptor.out));
        }
        return ExitCodes.OK;
    }
}
