package io.berth.cli;

import picocli.CommandLine.Command;

/** The {@code agent} command line (CONTRACT §2). Subcommands return the contract's exit codes. */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Berth: makes this host match declarative manifests of containers and virtual machines.",
        footer = {"", "The daemon: ${sys:berth.command:-agent} serve (see ${sys:berth.command:-agent} serve --help).",
                "A source checkout's ./agent also has up (quick start), test (the test suite) and package (the .deb);",
                "the installed berth has every other command."},
        subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, GetCommand.class,
                DeleteCommand.class, LogsCommand.class, DescribeCommand.class, EventsCommand.class,
                ReconcileCommand.class, TopCommand.class, SchemaCommand.class,
                CompletionCommand.class, ManCommand.class})
public class BerthCommand {
}
