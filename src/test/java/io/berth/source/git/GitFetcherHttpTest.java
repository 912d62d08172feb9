package io.berth.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access token for http(s): read from its file at every fetch, sent as the password with the
 * configured user name; checked against a real git smart-HTTP server ({@link SmartHttpServer})
 * that wants Basic authentication.
 */
@Timeout(120)
class GitFetcherHttpTest {

    static final String TOKEN = "glpat-0123456789abcdef";

    @TempDir
    Path tmp;

    Upstream upstream;
    SmartHttpServer server;
    String head;

    @BeforeEach
    void serve() throws Exception {
        upstream = Upstream.create(tmp, "main");
        head = upstream.write("deploy/app.yaml", "kind: Container\n").commit("over http");
        upstream.push();
        server = new SmartHttpServer(tmp, "berth", TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    GitFetcher fetcher(String url, Optional<Path> tokenFile) throws GitException {
        return new GitFetcher(new GitFetcher.Settings(url, "main", tokenFile, "berth", Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30)), tmp.resolve("cache.git"));
    }

    // ---- the token file ----------------------------------------------------------------------

    @Test
    void theTokenIsTheFileWithoutItsTrailingNewline() throws Exception {
        assertThat(GitCredentials.token(Files.writeString(tmp.resolve("t1"), TOKEN + "\n"))).isEqualTo(TOKEN);
        assertThat(GitCredentials.token(Files.writeString(tmp.resolve("t2"), TOKEN + "\r\n"))).isEqualTo(TOKEN);
        assertThat(GitCredentials.token(Files.writeString(tmp.resolve("t3"), TOKEN))).isEqualTo(TOKEN);
    }

    @Test
    void aMissingTokenFileIsNamedWithItsSetting() {
        Path missing = tmp.resolve("secrets/token");
        assertThatThrownBy(() -> GitCredentials.token(missing)).isInstanceOf(GitException.class)
                .hasMessage("berth.git.token-file: no such file " + missing);
    }

    @Test
    void anEmptyOrMultiLineTokenFileIsRefused() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertThatThrownBy(() -> GitCredentials.token(empty)).isInstanceOf(GitException.class)
                .hasMessage("berth.git.token-file " + empty + " is empty");
        Path two = Files.writeString(tmp.resolve("two"), "user\n" + TOKEN + "\n");
        assertThatThrownBy(() -> GitCredentials.token(two)).isInstanceOf(GitException.class)
                .hasMessage("berth.git.token-file " + two + " holds more than one line; it should hold only the token");
    }

    @Test
    void aFetchWithAMissingTokenFileFailsNamingItBeforeConnecting() throws Exception {
        Path missing = tmp.resolve("secrets/token");
        String url = "https://git.example.com/team/deploy.git";
        try (GitFetcher f = fetcher(url, Optional.of(missing))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage("cannot fetch " + url + " branch main: berth.git.token-file: no such file " + missing);
        }
    }

    @Test
    void urlsAreSortedByHowTheyAuthenticate() {
        assertThat(GitCredentials.scheme("https://git.example.com/x.git")).isEqualTo(GitCredentials.Scheme.HTTP);
        assertThat(GitCredentials.scheme("ssh://git@git.example.com:2222/x.git")).isEqualTo(GitCredentials.Scheme.SSH);
        assertThat(GitCredentials.scheme("git@git.example.com:team/x.git")).isEqualTo(GitCredentials.Scheme.SSH);
        assertThat(GitCredentials.scheme("git+ssh://git.example.com/x.git")).isEqualTo(GitCredentials.Scheme.SSH);
        assertThat(GitCredentials.scheme("file:///srv/git/x.git")).isEqualTo(GitCredentials.Scheme.OTHER);
        assertThat(GitCredentials.scheme("/srv/git/x.git")).isEqualTo(GitCredentials.Scheme.OTHER);
        assertThat(GitCredentials.scheme("git://git.example.com/x.git")).isEqualTo(GitCredentials.Scheme.OTHER);
    }

    // ---- against the server ------------------------------------------------------------------

    @Test
    void theTokenIsSentAsThePasswordOfTheUser() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
        try (GitFetcher f = fetcher(server.url("upstream.git"), Optional.of(token))) {
            Revision r = f.fetch();
            assertThat(r.commit()).isEqualTo(head);
            assertThat(f.files(head, "deploy")).containsOnlyKeys(Path.of("deploy/app.yaml"));
        }
        assertThat(server.usersSeen).isNotEmpty().containsOnly("berth");
    }

    @Test
    void aRotatedTokenIsReadAtTheNextFetch() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "expired-token\n");
        try (GitFetcher f = fetcher(server.url("upstream.git"), Optional.of(token))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class);
            Files.writeString(token, TOKEN + "\n");
            assertThat(f.fetch().commit()).isEqualTo(head);
        }
    }

    @Test
    void aRefusedTokenIsAClearError() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "expired-token\n");
        String url = server.url("upstream.git");
        try (GitFetcher f = fetcher(url, Optional.of(token))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage("cannot fetch " + url
                    + " branch main: the server refused the token in " + token + " for user berth"
                    + " (check berth.git.token-file and berth.git.username; has the token expired?)")
                    .hasMessageNotContaining("expired-token");
        }
    }

    @Test
    void noTokenForAServerThatWantsOneIsAClearError() throws Exception {
        String url = server.url("upstream.git");
        try (GitFetcher f = fetcher(url, Optional.empty())) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage("cannot fetch " + url
                    + " branch main: the server asks for credentials (set berth.git.token-file to a file holding an"
                    + " access token)");
        }
    }

    @Test
    void aRepositoryTheServerDoesNotHaveIsAClearError() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
        String url = server.url("nowhere.git");
        try (GitFetcher f = fetcher(url, Optional.of(token))) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class).hasMessage("cannot fetch " + url
                    + " branch main: no git repository there, or none this token may read (check berth.git.url and"
                    + " berth.git.token-file)");
        }
    }
}
