package io.berth.cli;

import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;
import picocli.CommandLine;

/**
 * Entry point of the {@code agent} command line. Client commands are short-lived, so they run as
 * a plain picocli program without booting the Quarkus application (that start-up is for the
 * long-running daemon); this keeps a no-op {@code apply} well under a second including the JVM.
 *
 * <p>User mistakes and runtime failures become one clear line on stderr and the contract's exit
 * code, never a stack trace (set BERTH_DEBUG=1 to see one).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        prepare();
        System.exit(commandLine().execute(args));
    }

    /** What every run of the command line sets first (also the launcher's training run). */
    static void prepare() {
        // JNA (libvirt-java's binding) encodes strings with the platform charset unless told
        // otherwise; under a C locale non-ASCII labels and paths would reach libvirt as '?'.
        System.setProperty("jna.encoding", "UTF-8");
        quietLibraryLogging();
    }

    /**
     * docker-java logs failed streams (a refused pull, say) at ERROR with a stack trace through
     * SLF4J; Berth reports those failures itself, in one line, so library logging stays off unless
     * BERTH_DEBUG is set.
     */
    private static void quietLibraryLogging() {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        java.util.logging.Level level = System.getenv("BERTH_DEBUG") != null
                ? java.util.logging.Level.FINE : java.util.logging.Level.OFF;
        java.util.logging.Logger.getLogger("").setLevel(level);
    }

    static CommandLine commandLine() {
        return new CommandLine(new BerthCommand()).addSubcommand(new RestoreCommand()).addSubcommand(new BackupCommand()).addSubcommand(new SnapshotCommand())
                // the launcher says which name ran it: agent in a checkout, berth from the package
                .setCommandName(System.getProperty("berth.command", "agent"))
                .setCaseInsensitiveEnumValuesAllowed(true)
                // picocli's default exit code for a bad option is 2, which `plan` uses for "changes":
                // a pipeline must never read a typo as a diff, so usage errors are 1 like any bad input.
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println("error: " + e.getMessage());
                    cmd.usage(cmd.getErr());
                    cmd.getErr().flush();
                    return ExitCodes.FAILED;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (System.getenv("BERTH_DEBUG") != null) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return switch (e) {
                        case RuntimeUnavailableException u -> fail(cmd, u.getMessage(), ExitCodes.UNREACHABLE);
                        case RuntimeFailure f -> fail(cmd, f.getMessage(), ExitCodes.FAILED);
                        case io.berth.manifest.ManifestException m -> {
                            m.errors().forEach(cmd.getErr()::println); // refused by the planner, at the fields
                            yield fail(cmd, m.errors().size() + (m.errors().size() == 1 ? " error" : " errors")
                                    + " in the manifests; nothing was changed", ExitCodes.FAILED);
                        }
                        case UserError u -> {
                            u.details().forEach(cmd.getErr()::println);
                            yield fail(cmd, u.getMessage(), ExitCodes.FAILED);
                        }
                        default -> fail(cmd, "internal error: " + e + " (run with BERTH_DEBUG=1 for details)",
                                ExitCodes.FAILED);
                    };
                });
    }

    private static int fail(CommandLine cmd, String message, int code) {
        cmd.getErr().println("error: " + message);
        cmd.getErr().flush();
        return code;
    }
}
