package io.berth.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a client command goes (CONTRACT §2): to the daemon by default ({@code --server}, else
 * BERTH_SERVER, else the local one on 127.0.0.1:7070, with the token from BERTH_TOKEN or
 * {@code --token-file}), or with {@code --local} straight to Docker and libvirt.
 */
public class Connection {

    static final String DEFAULT_SERVER = "http://127.0.0.1:7070";

    @Option(names = "--local", description = "Talk to Docker and libvirt directly instead of the daemon.")
    boolean local;

    @Option(names = "--server", paramLabel = "URL",
            description = "The daemon's address (default: BERTH_SERVER, else " + DEFAULT_SERVER + ").")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the API token (default: BERTH_TOKEN, else STATE/token, i.e. /var/lib/berth/token).")
    Path tokenFile;

    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "Trust the daemon's TLS certificate through these PEM certificates (default: BERTH_CA_FILE, else the JDK's trust store).")
    Path caFile;

    /** The command this mixin is part of: its standard error gets local mode's warnings. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The command's standard output. */
    PrintWriter out() {
        return command.commandLine().getOut();
    }

    /** The command's standard error (manifest errors, local mode's warnings). */
    PrintWriter err() {
        return command.commandLine().getErr();
    }

    /**
     * The one choice of a client command: the daemon, or with {@code --local} the runtimes directly.
     * Neither connects before its first call.
     */
    Operations operations() {
        return local ? new LocalOperations(err()) : new RemoteOperations(this::client);
    }

    Client client() {
        String url = server != null ? server : System.getenv().getOrDefault("BERTH_SERVER", DEFAULT_SERVER);
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("--server " + url + ": " + e.getMessage() + " (valid: like " + DEFAULT_SERVER + ")");
        }
        Path ca = caFile != null ? caFile
                : System.getenv("BERTH_CA_FILE") == null || System.getenv("BERTH_CA_FILE").isBlank() ? null
                : Path.of(System.getenv("BERTH_CA_FILE"));
        return new Client(uri, token(), ca == null ? null : Tls.trusting(ca));
    }

    /** BERTH_TOKEN wins over a file unless --token-file is given; a missing default file means no token (a 401 explains). */
    private String token() {
        String env = System.getenv("BERTH_TOKEN");
        if (tokenFile == null && env != null && !env.isBlank()) {
            return env.strip();
        }
        Path file = tokenFile != null ? tokenFile
                : io.berth.util.StateDirs.fromEnvironment().resolve("token");
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            if (tokenFile != null) {
                throw new UserError("--token-file " + file + ": no such file");
            }
            return null;
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read the API token " + file + " (permission denied): run as root, or set"
                    + " BERTH_TOKEN or --token-file");
        } catch (IOException e) {
            throw new UserError("cannot read the API token " + file + ": " + e.getMessage());
        }
    }
}
