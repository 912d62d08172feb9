package io.berth.cli;

import picocli.CommandLine.Command;

/** The {@code agent} command line (CONTRACT §2). Subcommands return the contract's exit codes. */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Berth: makes this host match declarative manifests of containers and virtual machines.",
        footer = {"", "The daemon: ${sys:berth.command:-agent} serve (${sys:berth.command:-agent} serve --help).",
                "A source checkout's ./agent also has up, test and package (the .deb);",
                "the installed berth has every command above and serve."},
        subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, GetCommand.class,
                DeleteCommand.class, LogsCommand.class, DescribeCommand.class, EventsCommand.class,
                ReconcileCommand.class, TopCommand.class, SchemaCommand.class, ConvertCommand.class,
                CompletionCommand.class, ManCommand.class})
public class BerthCommand {
}
