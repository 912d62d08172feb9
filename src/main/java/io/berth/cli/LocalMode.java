package io.berth.cli;

import picocli.CommandLine.Option;

/** {@code --local}: talk to the runtimes directly. Accepted by every client command; the default for now. */
public class LocalMode {

    @Option(names = "--local",
            description = "Talk to the runtimes directly (the default for now: the client mode that talks to agent serve comes next).")
    boolean local;
}
