package io.berth.source.git;

import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Credentials for a fetch, read from files at every fetch (so a rotated token or key is used
 * without a restart): for http(s) an access token, sent as the password; for ssh only public-key
 * authentication with the configured key and a strict host key check ({@link SshSessions}).
 * Nothing ever prompts: Berth runs unattended, and a question nobody answers would hang the
 * fetch until its timeout and then report the wrong thing.
 */
final class GitCredentials implements AutoCloseable {

    /** How the URL is fetched, as far as credentials are concerned. */
    enum Scheme { HTTP, SSH, OTHER }

    private final GitFetcher.Settings settings;
    private final Scheme scheme;
    private final SshSessions ssh;

    GitCredentials(GitFetcher.Settings settings) {
        this.settings = settings;
        this.scheme = scheme(settings.url());
        this.ssh = scheme == Scheme.SSH
                ? new SshSessions(settings.url(), settings.sshKeyFile(), settings.knownHostsFile())
                : null;
    }

    static Scheme scheme(String url) {
        URIish u;
        try {
            u = new URIish(url);
        } catch (URISyntaxException e) {
            return Scheme.OTHER;
        }
        String s = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "http", "https" -> Scheme.HTTP;
            case "ssh", "ssh+git", "git+ssh" -> Scheme.SSH;
            // scp-like git@host:org/repo.git has a host but no scheme.
            case "" -> u.getHost() != null ? Scheme.SSH : Scheme.OTHER;
            default -> Scheme.OTHER;
        };
    }

    /** Sets up {@code command} for one fetch; reads the credential files now. */
    void configure(TransportCommand<?, ?> command) throws GitException {
        if (scheme == Scheme.HTTP && settings.tokenFile().isPresent()) {
            command.setCredentialsProvider(
                    new UsernamePasswordCredentialsProvider(settings.username(), token(settings.tokenFile().get())));
        } else if (scheme == Scheme.SSH) {
            ssh.configure(command);
        }
    }

    /**
     * An operator-facing reason for a failed fetch when the credentials explain it (a refused host
     * key, a key needing a passphrase, a key or token the server refused); empty otherwise.
     */
    Optional<String> explain(Throwable failure) {
        if (scheme == Scheme.SSH) {
            return ssh.explain(failure);
        }
        if (scheme == Scheme.HTTP) {
            return explainHttp(failure);
        }
        return Optional.empty();
    }

    private Optional<String> explainHttp(Throwable failure) {
        if (FetchFailures.hasMessage(failure, JGitText.get().noCredentialsProvider)) {
            return Optional.of("the server asks for credentials (set berth.git.token-file to a file holding an access token)");
        }
        if (FetchFailures.hasMessageEndingWith(failure, ": " + JGitText.get().notAuthorized)) {
            return Optional.of(settings.tokenFile()
                    .map(f -> "the server refused the token in " + f + " for user " + settings.username()
                            + " (check berth.git.token-file and berth.git.username; has the token expired?)")
                    .orElse("the server asks for credentials (set berth.git.token-file to a file holding an access token)"));
        }
        return Optional.empty();
    }

    /**
     * The token in {@code file}: surrounding white space (the trailing newline editors and
     * {@code echo} add) is not part of it.
     */
    static String token(Path file) throws GitException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new GitException("berth.git.token-file: no such file " + file, e);
        } catch (AccessDeniedException e) {
            throw new GitException("berth.git.token-file: permission denied reading " + file, e);
        } catch (IOException e) {
            throw new GitException("berth.git.token-file: cannot read " + file + ": " + e.getMessage(), e);
        }
        if (token.isEmpty()) {
            throw new GitException("berth.git.token-file " + file + " is empty");
        }
        if (token.lines().count() > 1) {
            throw new GitException("berth.git.token-file " + file + " holds more than one line; it should hold only the token");
        }
        return token;
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
    }
}
