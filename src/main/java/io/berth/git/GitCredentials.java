package io.berth.git;

import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Credentials for a fetch, read from files at every fetch (so a rotated token or key is used
 * without a restart): an access token for https, sent as the password.
 */
final class GitCredentials {

    private GitCredentials() {
    }

    static void apply(GitFetcher.Settings s, TransportCommand<?, ?> command) throws GitException {
        if (s.tokenFile().isPresent()) {
            String token = read(s.tokenFile().get(), "berth.git.token-file").strip();
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(s.username(), token));
        }
    }

    private static String read(Path file, String key) throws GitException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GitException(key + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
