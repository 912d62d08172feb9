package io.berth.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code agent man DIR}: writes one man page per command ({@code agent.1}, {@code agent-apply.1},
 * ...) into DIR from the command model ({@link ManPages}), for packaging into
 * {@code /usr/share/man/man1} and for {@code man -l DIR/agent.1}. Prints each file written.
 */
@Command(name = "man", mixinStandardHelpOptions = true,
        description = {"Write a man page per command into DIR (agent.1, agent-apply.1, ...).",
                "Read one with man -l DIR/agent-apply.1; a package installs them in /usr/share/man/man1."})
public class ManCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to write the pages into (created if missing)")
    Path dir;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "${sys:berth.command:-agent}",
            description = "The command the pages name (default ${DEFAULT-VALUE}; berth for the installed package: berth.1, berth-apply.1, ...)")
    String name;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(dir);
        String version = new VersionProvider().getVersion()[0];
        spec.root().name(name); // a one-shot command: renaming the model only changes what these pages say
        for (CommandSpec c : ManPages.all(spec.root())) {
            Path file = dir.resolve(ManPages.fileName(c));
            Files.writeString(file, ManPages.page(c, version), StandardCharsets.UTF_8);
            spec.commandLine().getOut().println(file);
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
