package io.berth.source;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The git source ({@code berth.git.*}, also {@code BERTH_GIT_*} and in {@code --config FILE}; GitOps): one branch of one repository, polled and on webhook; its manifests
 * are a source beside the watched directory, applied a whole commit at a time.
 */
@ConfigMapping(prefix = "berth.git")
public interface GitConfig {
    /** file://, https:// or ssh:// (or git@host:org/repo.git); no git source when unset. */
    Optional<String> url();

    @WithDefault("main")
    String branch();

    /** The directory of manifests inside the repository; the whole repository when unset. */
    @WithDefault(".")
    String path();

    /** How often the branch is fetched (a webhook fetches at once). */
    @WithDefault("1m")
    Duration interval();

    /** The shared secret of {@code POST /api/v1/hooks/git}; no webhook when unset. */
    Optional<Path> webhookSecretFile();

    /** A webhook whose payload says it was sent longer ago than this is refused as a replay. */
    @WithDefault("5m")
    Duration webhookMaxAge();

    /** https: a file holding an access token (GitHub, GitLab, Gitea), sent as the password. */
    Optional<Path> tokenFile();

    /** https: the user name sent with the token. */
    @WithDefault("git")
    String username();

    /** ssh: the private key (OpenSSH format, without passphrase). */
    Optional<Path> sshKeyFile();

    /** ssh: the trusted host keys; an unknown host key is refused. Default ~/.ssh/known_hosts. */
    Optional<Path> knownHostsFile();

    /** How long one fetch may take. */
    @WithDefault("60s")
    Duration timeout();
}
