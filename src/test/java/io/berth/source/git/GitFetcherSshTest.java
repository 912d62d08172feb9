package io.berth.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitFetcher over ssh:// against a real OpenSSH server (a private sshd on a free port, see
 * {@link PrivateSshd}), serving the bare repository on disk with the system's git-upload-pack.
 * Runs wherever {@code /usr/sbin/sshd} is installed (deploy/host-setup.sh installs it for CI).
 */
@Timeout(120)
class GitFetcherSshTest {

    @TempDir
    static Path keys;

    static PrivateSshd sshd;
    static Path clientKey;
    static Path otherKey;

    @TempDir
    Path tmp;

    Upstream upstream;
    String head;
    Path knownHosts;

    @BeforeAll
    static void startSshd() throws Exception {
        assumeTrue(Files.isExecutable(PrivateSshd.SSHD), "no " + PrivateSshd.SSHD + " (apt-get install openssh-server)");
        clientKey = PrivateSshd.keygen(keys.resolve("client_ed25519"), "");
        otherKey = PrivateSshd.keygen(keys.resolve("other_ed25519"), "");
        sshd = PrivateSshd.start(keys.resolve("sshd"), Path.of(clientKey + ".pub"));
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void upstream() throws Exception {
        upstream = Upstream.create(tmp, "main");
        upstream.write("manifests/web.yaml", "kind: Container\n");
        head = upstream.commit("over ssh");
        upstream.push();
        knownHosts = Files.writeString(tmp.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
    }

    GitFetcher fetcher(String url, Optional<Path> key, Optional<Path> hosts) throws GitException {
        return new GitFetcher(new GitFetcher.Settings(url, "main", Optional.empty(), "git", key, hosts,
                Duration.ofSeconds(30)), tmp.resolve("cache.git"));
    }

    GitFetcher fetcher(Path key) throws GitException {
        return fetcher(sshd.url(upstream.bare), Optional.of(key), Optional.of(knownHosts));
    }

    String where() {
        return "cannot fetch " + sshd.url(upstream.bare) + " branch main: ";
    }

    @Test
    void fetchesWithTheKeyAndTheKnownHostKey() throws Exception {
        try (GitFetcher f = fetcher(clientKey)) {
            Revision r = f.fetch();
            assertThat(r.commit()).isEqualTo(head);
            assertThat(r.message()).isEqualTo("over ssh");
            assertThat(f.files(head, "manifests")).containsOnlyKeys(Path.of("manifests/web.yaml"));

            String next = upstream.write("manifests/db.yaml", "kind: Container\n").commit("second");
            upstream.push();
            assertThat(f.fetch().commit()).as("a second fetch over a new session").isEqualTo(next);
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedAndNotWrittenDown() throws Exception {
        // Another server's entry only: this one is unknown.
        String other = "[127.0.0.1]:" + (sshd.port + 1) + " " + Files.readString(Path.of(otherKey + ".pub")).strip();
        Files.writeString(knownHosts, other + "\n");
        String fingerprint = PrivateSshd.fingerprint(Path.of(sshd.hostKey + ".pub"));
        try (GitFetcher f = fetcher(clientKey)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage(where()
                    + "the host key of 127.0.0.1:" + sshd.port + " (ssh-ed25519 key " + fingerprint + ") is not in "
                    + knownHosts + "; unknown hosts are refused: check the fingerprint and add the key, e.g. "
                    + "ssh-keyscan -p " + sshd.port + " 127.0.0.1 >> " + knownHosts);
        }
        assertThat(Files.readString(knownHosts)).isEqualTo(other + "\n");
    }

    @Test
    void aChangedHostKeyIsRefused() throws Exception {
        // This server's name with another key: what a reinstalled host or a man in the middle looks like.
        String changed = "[127.0.0.1]:" + sshd.port + " " + Files.readString(Path.of(otherKey + ".pub")).strip();
        Files.writeString(knownHosts, changed + "\n");
        try (GitFetcher f = fetcher(clientKey)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessageStartingWith(where() + "the host key of 127.0.0.1:" + sshd.port + " (ssh-ed25519 key SHA256:")
                    .hasMessageContaining(") differs from the one in " + knownHosts + ": ")
                    .hasMessageContaining("ssh-keygen -R '[127.0.0.1]:" + sshd.port + "' -f " + knownHosts);
        }
        assertThat(Files.readString(knownHosts)).isEqualTo(changed + "\n");
    }

    @Test
    void aRevokedHostKeyIsRefused() throws Exception {
        Files.writeString(knownHosts, "@revoked " + sshd.knownHostsLine() + "\n");
        try (GitFetcher f = fetcher(clientKey)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage(where()
                    + "the host key of 127.0.0.1:" + sshd.port + " (ssh-ed25519 key "
                    + PrivateSshd.fingerprint(Path.of(sshd.hostKey + ".pub")) + ") is marked @revoked in " + knownHosts);
        }
    }

    @Test
    void theKnownHostsFileIsReadAgainWhenItChanges() throws Exception {
        Files.writeString(knownHosts, "");
        try (GitFetcher f = fetcher(clientKey)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessageContaining("is not in " + knownHosts);
            Files.writeString(knownHosts, sshd.knownHostsLine() + "\n");
            assertThat(f.fetch().commit()).isEqualTo(head);
        }
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefused() throws Exception {
        try (GitFetcher f = fetcher(otherKey)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage(where()
                    + "the server refused the ssh key " + otherKey + " for user " + System.getProperty("user.name")
                    + " (is its public key in the server's authorized keys, or a deploy key of the repository?"
                    + " check berth.git.ssh-key-file and the user in berth.git.url)");
        }
    }

    @Test
    void aKeyWithAPassphraseIsRefusedWithoutAPrompt() throws Exception {
        Path locked = PrivateSshd.keygen(tmp.resolve("locked_ed25519"), "a passphrase");
        try (GitFetcher f = fetcher(locked)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage(where()
                    + "the ssh key " + locked + " is protected by a passphrase, which Berth cannot type:"
                    + " use a key without one (berth.git.ssh-key-file)");
        }
    }

    @Test
    void aMissingKeyFileIsNamed() throws Exception {
        Path missing = tmp.resolve("no_such_key");
        try (GitFetcher f = fetcher(missing)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage(where() + "berth.git.ssh-key-file: no such file " + missing);
        }
    }

    @Test
    void aMissingKnownHostsFileIsNamed() throws Exception {
        Path missing = tmp.resolve("no_known_hosts");
        try (GitFetcher f = fetcher(sshd.url(upstream.bare), Optional.of(clientKey), Optional.of(missing))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage(where() + "berth.git.known-hosts-file: no such file " + missing
                            + "; check the host's fingerprint and add its key, e.g. ssh-keyscan -p " + sshd.port
                            + " 127.0.0.1 >> " + missing);
        }
    }

    @Test
    void aMissingRepositoryOnTheServerIsAClearError() throws Exception {
        String url = sshd.url(tmp.resolve("nowhere.git"));
        try (GitFetcher f = fetcher(url, Optional.of(clientKey), Optional.of(knownHosts))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage("cannot fetch " + url + " branch main: no git repository there (check berth.git.url)");
        }
    }

    /**
     * With a key file set, only it is offered: a key in ~/.ssh that the server would take is not
     * used. Without one, the default keys and known_hosts of ~/.ssh are.
     */
    @Test
    void theKeyFileIsTheOnlyIdentityAndHomeIsTheFallback() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path dotSsh = Files.createDirectories(home.resolve(".ssh"));
        Files.copy(clientKey, dotSsh.resolve("id_ed25519"));
        Files.copy(Path.of(clientKey + ".pub"), dotSsh.resolve("id_ed25519.pub"));
        Files.copy(knownHosts, dotSsh.resolve("known_hosts"));
        String before = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            try (GitFetcher f = fetcher(sshd.url(upstream.bare), Optional.of(otherKey), Optional.empty())) {
                assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                        .hasMessageContaining("the server refused the ssh key " + otherKey);
            }
            try (GitFetcher f = fetcher(sshd.url(upstream.bare), Optional.empty(), Optional.empty())) {
                assertThat(f.fetch().commit()).isEqualTo(head);
            }
            Files.delete(dotSsh.resolve("id_ed25519"));
            try (GitFetcher f = fetcher(sshd.url(upstream.bare), Optional.empty(), Optional.empty())) {
                assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessageContaining(
                        "the server refused the default ssh keys in " + dotSsh + " (berth.git.ssh-key-file is not set)");
            }
            assertThat(Files.readString(dotSsh.resolve("known_hosts"))).isEqualTo(Files.readString(knownHosts));
        } finally {
            System.setProperty("user.home", before);
        }
    }

    @Test
    void noSshThreadsOutliveAFetchThatWorkedOrFailed() throws Exception {
        try (GitFetcher good = fetcher(clientKey); GitFetcher badKey = fetcher(otherKey);
             GitFetcher badHost = fetcher(sshd.url(upstream.bare), Optional.of(clientKey),
                     Optional.of(Files.writeString(tmp.resolve("empty_known_hosts"), "")))) {
            for (int i = 0; i < 3; i++) {
                good.fetch();
                assertThatThrownBy(badKey::fetch).isInstanceOf(GitException.class);
                assertThatThrownBy(badHost::fetch).isInstanceOf(GitException.class);
            }
            // Each session stops its own client when the fetch ends; give its threads a moment to end.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!sshThreads().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(sshThreads()).as("ssh threads left while the fetchers are idle").isEmpty();
        }
    }

    @Test
    void aServerThatIsNotListeningIsAClearError() throws Exception {
        String url = "ssh://git@127.0.0.1:1/team/deploy.git";
        try (GitFetcher f = fetcher(url, Optional.of(clientKey), Optional.of(knownHosts))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage("cannot fetch " + url + " branch main: Connection refused");
        }
    }

    static java.util.List<String> sshThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.toLowerCase(java.util.Locale.ROOT).contains("sshd")
                        || n.toLowerCase(java.util.Locale.ROOT).contains("nio2"))
                .toList();
    }
}
