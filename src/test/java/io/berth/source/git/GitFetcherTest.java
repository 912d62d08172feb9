package io.berth.source.git;

import io.berth.testing.GitRepo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GitFetcher against real repositories on disk, fetched over file:// URLs. */
@Timeout(120)
class GitFetcherTest {

    @TempDir
    Path tmp;

    Upstream upstream;
    Path cache;

    @BeforeEach
    void upstream() throws Exception {
        upstream = Upstream.create(tmp, "main");
        cache = tmp.resolve("state/git/cache.git");
    }

    static GitFetcher.Settings settings(String url, String branch) {
        return new GitFetcher.Settings(url, branch, Optional.empty(), "git", Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30));
    }

    GitFetcher fetcher() throws GitException {
        return new GitFetcher(settings(upstream.fileUrl(), "main"), cache);
    }

    static String manifest(String name) {
        return "apiVersion: berth.io/v1\nkind: Container\nmetadata: {name: " + name + "}\n";
    }

    /** The shallow boundary of the cache, as JGit reads it from the cache's {@code shallow} file. */
    Set<String> shallowCommits() throws Exception {
        try (Repository r = new FileRepositoryBuilder().setGitDir(cache.toFile()).setBare().build()) {
            return r.getObjectDatabase().getShallowCommits().stream().map(ObjectId::getName).collect(Collectors.toSet());
        }
    }

    boolean cacheHas(String commit) throws Exception {
        try (Repository r = new FileRepositoryBuilder().setGitDir(cache.toFile()).setBare().build()) {
            return r.getObjectDatabase().has(ObjectId.fromString(commit));
        }
    }

    static Map<String, String> text(Map<Path, byte[]> files) {
        Map<String, String> out = new LinkedHashMap<>();
        files.forEach((p, b) -> out.put(p.toString(), new String(b, StandardCharsets.UTF_8)));
        return out;
    }

    // ---- fetch -------------------------------------------------------------------------------

    @Test
    void firstFetchReturnsThePushedHead() throws Exception {
        upstream.write("manifests/web.yaml", manifest("web"));
        String head = upstream.commit("Add web\n\nThe body is not part of the message.");
        upstream.push();

        try (GitFetcher f = fetcher()) {
            Instant before = Instant.now().minusSeconds(5);
            Revision r = f.fetch();
            assertThat(r.commit()).isEqualTo(head);
            assertThat(r.shortCommit()).isEqualTo(head.substring(0, 12));
            assertThat(r.message()).isEqualTo("Add web");
            assertThat(r.author()).isEqualTo("Test Author");
            assertThat(r.committedAt()).isBetween(before.minusSeconds(60), Instant.now().plusSeconds(1));
        }
        assertThat(cache.resolve("objects")).isDirectory();
    }

    @Test
    void theCacheIsShallowAndTheNextFetchGetsTheNewHead() throws Exception {
        upstream.write("manifests/web.yaml", manifest("web"));
        String first = upstream.commit("first");
        upstream.write("manifests/db.yaml", manifest("db"));
        String second = upstream.commit("second");
        upstream.push();

        try (GitFetcher f = fetcher()) {
            assertThat(f.fetch().commit()).isEqualTo(second);
            assertThat(shallowCommits()).containsExactly(second);
            assertThat(cacheHas(first)).as("the parent of a depth-1 fetch is not fetched").isFalse();

            upstream.write("manifests/cache.yaml", manifest("cache"));
            String third = upstream.commit("third");
            upstream.push();

            Revision r = f.fetch();
            assertThat(r.commit()).isEqualTo(third);
            assertThat(r.message()).isEqualTo("third");
            assertThat(shallowCommits()).contains(third);
            assertThat(text(f.files(third, "manifests")).keySet())
                    .containsExactly("manifests/cache.yaml", "manifests/db.yaml", "manifests/web.yaml");
        }
    }

    @Test
    void garbageCollectionLeavesOnePackAndTheCacheKeepsWorking() throws Exception {
        upstream.write("manifests/web.yaml", manifest("web"));
        upstream.commit("first");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            upstream.write("manifests/db.yaml", manifest("db"));
            upstream.commit("second");
            upstream.push();
            String second = f.fetch().commit();
            assertThat(packs()).as("a pack per fetch").isEqualTo(2);

            f.collectGarbage();
            assertThat(packs()).isEqualTo(1);
            assertThat(text(f.files(second, "manifests")).keySet())
                    .containsExactly("manifests/db.yaml", "manifests/web.yaml");
            upstream.write("manifests/cache.yaml", manifest("cache"));
            String third = upstream.commit("third");
            upstream.push();
            assertThat(f.fetch().commit()).isEqualTo(third);
            assertThat(text(f.files(third, "manifests"))).hasSize(3);
        }
    }

    long packs() throws Exception {
        try (var files = java.nio.file.Files.list(cache.resolve("objects/pack"))) {
            return files.filter(p -> p.toString().endsWith(".pack")).count();
        }
    }

    @Test
    void anUnchangedBranchFetchesTheSameHeadAgain() throws Exception {
        upstream.write("a.yaml", manifest("a"));
        String head = upstream.commit("only");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            assertThat(f.fetch().commit()).isEqualTo(head);
            assertThat(f.fetch().commit()).isEqualTo(head);
        }
    }

    @Test
    void aNewFetcherReusesTheCacheOfAnEarlierOne() throws Exception {
        upstream.write("a.yaml", manifest("a"));
        String head = upstream.commit("only");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
        }
        try (GitFetcher f = fetcher()) {
            assertThat(f.files(head, "")).containsOnlyKeys(Path.of("a.yaml"));
            assertThat(f.fetch().commit()).isEqualTo(head);
        }
    }

    @Test
    void aForcePushThatRewroteHistoryStillFetchesTheNewHead() throws Exception {
        upstream.write("manifests/old.yaml", manifest("old"));
        upstream.commit("old one");
        upstream.write("manifests/old2.yaml", manifest("old2"));
        String oldHead = upstream.commit("old two");
        upstream.push();

        try (GitFetcher f = fetcher()) {
            assertThat(f.fetch().commit()).isEqualTo(oldHead);

            String newHead = upstream.rewriteHistory(Map.of("manifests/new.yaml", manifest("new")), "rewritten");
            assertThat(GitRepo.git(upstream.bare, "cat-file", "-t", newHead).strip()).isEqualTo("commit");
            assertThatThrownBy(() -> GitRepo.git(upstream.bare, "cat-file", "-t", oldHead))
                    .as("the old head is gone upstream").hasMessageContaining("exited");

            Revision r = f.fetch();
            assertThat(r.commit()).isEqualTo(newHead);
            assertThat(r.message()).isEqualTo("rewritten");
            assertThat(text(f.files(newHead, "manifests"))).containsOnlyKeys("manifests/new.yaml");
        }
    }

    @Test
    void aMissingBranchIsAnErrorNamingTheUrlAndTheBranch() throws Exception {
        upstream.write("a.yaml", manifest("a"));
        upstream.commit("only");
        upstream.push();

        try (GitFetcher f = new GitFetcher(settings(upstream.fileUrl(), "release"), cache)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage("cannot fetch " + upstream.fileUrl() + " branch release: the repository has no branch"
                            + " \"release\" (check berth.git.branch)");
        }
    }

    @Test
    void aBranchDeletedUpstreamIsAnErrorNotTheLastFetchedHead() throws Exception {
        upstream.write("a.yaml", manifest("a"));
        upstream.commit("only");
        upstream.push();
        upstream.git("push", "-q", "origin", "main:feature");

        try (GitFetcher f = new GitFetcher(settings(upstream.fileUrl(), "feature"), cache)) {
            f.fetch();
            upstream.git("push", "-q", "origin", ":feature");
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessageContaining("no branch \"feature\"");
        }
    }

    @Test
    void aRepositoryThatDoesNotExistIsAClearError() throws Exception {
        String url = tmp.resolve("nowhere.git").toUri().toString();
        try (GitFetcher f = new GitFetcher(settings(url, "main"), cache)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessage("cannot fetch " + url + " branch main: no git repository there (check berth.git.url)");
        }
    }

    @Test
    void anUnreachableHostIsAClearError() throws Exception {
        // Port 1 on the loopback address: nothing listens there, the connection is refused at once.
        String url = "http://127.0.0.1:1/team/deploy.git";
        try (GitFetcher f = new GitFetcher(settings(url, "main"), cache)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("cannot fetch " + url + " branch main: ")
                    .hasMessageContaining("Connection refused");
        }
    }

    @Test
    void aPasswordInTheUrlDoesNotAppearInTheMessage() throws Exception {
        String url = "http://deploy:s3cret@127.0.0.1:1/team/deploy.git";
        try (GitFetcher f = new GitFetcher(settings(url, "main"), cache)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("cannot fetch http://127.0.0.1:1/team/deploy.git branch main: ")
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void aTokenPastedAsTheUserDoesNotAppearInTheMessage() throws Exception {
        String url = "http://ghp_0123456789abcdef@127.0.0.1:1/team/deploy.git";
        try (GitFetcher f = new GitFetcher(settings(url, "main"), cache)) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("cannot fetch http://127.0.0.1:1/team/deploy.git branch main: ")
                    .hasMessageNotContaining("ghp_0123456789abcdef");
        }
    }

    @Test
    void anEmptyRepositoryHasNoBranch() throws Exception {
        try (GitFetcher f = fetcher()) {
            assertThatThrownBy(f::fetch).isInstanceOf(GitException.class)
                    .hasMessageContaining("the repository has no branch \"main\"");
        }
    }

    // ---- files -------------------------------------------------------------------------------

    /** A tree with manifests, their look-alikes and things the loader must not read. */
    String richTree() throws Exception {
        String gitlinkTarget = upstream.write("seed.txt", "x").commit("seed");
        return upstream
                .write("root.yaml", manifest("root"))
                .write("manifests/web.yaml", manifest("web"))
                .write("manifests/db.YML", manifest("db"))
                .write("manifests/sub/cache.yml", manifest("cache"))
                .write("manifests/sub/deeper/queue.yaml", manifest("queue"))
                .write("manifests/.hidden/secret.yaml", manifest("hidden"))
                .write("manifests/sub/.git-crypt/key.yaml", manifest("crypt"))
                .write("manifests/.dotfile.yaml", manifest("dot"))
                .write("manifests/.web.yaml.swp", "swap")
                .write("manifests/web.yaml.swp", "swap")
                .write("manifests/web.yaml~", "backup")
                .write("manifests/web.yaml.bak", "backup")
                .write("manifests/README.md", "# docs")
                .write("manifests/values.json", "{}")
                .write("manifests/yaml", "no extension")
                .symlink("manifests/link.yaml", "web.yaml")
                .symlink("manifests/linked-dir", "sub")
                .gitlink("manifests/vendored.yaml", gitlinkTarget)
                .gitlink("manifests/module", gitlinkTarget)
                .write("manifests-extra/other.yaml", manifest("other"))
                .write("other/deep/x.yaml", manifest("x"))
                .write("notes.txt", "not yaml")
                .commit("rich");
    }

    @Test
    void filesReadsOnlyManifestsUnderThePathRecursively() throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            Map<String, String> files = text(f.files(head, "manifests"));
            assertThat(files.keySet()).containsExactly(
                    "manifests/db.YML",
                    "manifests/sub/cache.yml",
                    "manifests/sub/deeper/queue.yaml",
                    "manifests/web.yaml");
            assertThat(files.get("manifests/web.yaml")).isEqualTo(manifest("web"));
            assertThat(files.get("manifests/sub/deeper/queue.yaml")).isEqualTo(manifest("queue"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"manifests", "./manifests/", "/manifests", "manifests/", " manifests ", "manifests//",
            "./manifests"})
    void pathSpellingsNameTheSameDirectory(String path) throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThat(text(f.files(head, path)).keySet()).containsExactly(
                    "manifests/db.YML", "manifests/sub/cache.yml", "manifests/sub/deeper/queue.yaml",
                    "manifests/web.yaml");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "/", "./"})
    void emptyOrDotPathIsTheWholeRepository(String path) throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            // Path order ('-' sorts before '/'), dot-directories skipped at every depth.
            assertThat(text(f.files(head, path)).keySet()).containsExactly(
                    "manifests-extra/other.yaml",
                    "manifests/db.YML",
                    "manifests/sub/cache.yml",
                    "manifests/sub/deeper/queue.yaml",
                    "manifests/web.yaml",
                    "other/deep/x.yaml",
                    "root.yaml");
        }
    }

    @Test
    void aNestedPathIsFound() throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThat(text(f.files(head, "manifests/sub")).keySet())
                    .containsExactly("manifests/sub/cache.yml", "manifests/sub/deeper/queue.yaml");
            assertThat(text(f.files(head, "./other/deep/")).keySet()).containsExactly("other/deep/x.yaml");
        }
    }

    @Test
    void aDotDirectoryNamedAsThePathItselfIsRead() throws Exception {
        String head = upstream.write(".berth/app.yaml", manifest("app")).commit("dot dir");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThat(text(f.files(head, ".berth")).keySet()).containsExactly(".berth/app.yaml");
            assertThat(f.files(head, "")).as("but not when reading the whole repository").isEmpty();
        }
    }

    @Test
    void aDirectoryWithoutManifestsGivesNoFiles() throws Exception {
        String head = upstream.write("docs/README.md", "# docs").commit("docs only");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThat(f.files(head, "docs")).isEmpty();
        }
    }

    @Test
    void aPathThatDoesNotExistIsAnErrorNamingIt() throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            String shortId = head.substring(0, 12);
            assertThatThrownBy(() -> f.files(head, "./deploy/")).isInstanceOf(GitException.class)
                    .hasMessage("no directory deploy in commit " + shortId
                            + " (berth.git.path names a directory of the repository)");
            assertThatThrownBy(() -> f.files(head, "manifests/nope")).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("no directory manifests/nope in commit " + shortId);
            // A prefix of a real directory's name is not that directory.
            assertThatThrownBy(() -> f.files(head, "manifest")).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("no directory manifest in commit ");
        }
    }

    @Test
    void aPathThatIsAFileIsAnErrorNamingIt() throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThatThrownBy(() -> f.files(head, "root.yaml")).isInstanceOf(GitException.class)
                    .hasMessage("path root.yaml in commit " + head.substring(0, 12)
                            + " is a file, not a directory (berth.git.path names a directory of the repository)");
            assertThatThrownBy(() -> f.files(head, "manifests/web.yaml")).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("path manifests/web.yaml in commit " + head.substring(0, 12) + " is a file");
            assertThatThrownBy(() -> f.files(head, "manifests/linked-dir")).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("path manifests/linked-dir in commit " + head.substring(0, 12)
                            + " is a symbolic link, not a directory (links are not followed)");
            assertThatThrownBy(() -> f.files(head, "manifests/module")).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("path manifests/module in commit " + head.substring(0, 12)
                            + " is a submodule, not a directory (submodules are not fetched)");
            assertThatThrownBy(() -> f.files(head, "manifests/linked-dir/cache.yml")).isInstanceOf(GitException.class)
                    .as("nothing is read through a link").hasMessageStartingWith("no directory manifests/linked-dir/cache.yml");
        }
    }

    @Test
    void aPathLeavingTheRepositoryIsRefused() throws Exception {
        String head = richTree();
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThatThrownBy(() -> f.files(head, "../manifests")).isInstanceOf(GitException.class)
                    .hasMessage("berth.git.path ../manifests leaves the repository (\"..\" is not allowed)");
            assertThatThrownBy(() -> f.files(head, "manifests/../other")).isInstanceOf(GitException.class)
                    .hasMessageContaining("\"..\" is not allowed");
        }
    }

    @Test
    void aCommitNotInTheCacheIsAnError() throws Exception {
        upstream.write("a.yaml", manifest("a"));
        String first = upstream.commit("first");
        String second = upstream.commit("second");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThat(f.files(second, "")).containsOnlyKeys(Path.of("a.yaml"));
            assertThatThrownBy(() -> f.files(first, "")).isInstanceOf(GitException.class)
                    .hasMessageStartingWith("commit " + first.substring(0, 12) + " is not in the git cache");
            assertThatThrownBy(() -> f.files("not-a-commit", "")).isInstanceOf(GitException.class)
                    .hasMessage("\"not-a-commit\" is not a commit id (40 hex digits)");
        }
    }

    @Test
    void anOversizedManifestIsPassedOnTruncatedSoTheLoaderReportsIt() throws Exception {
        int limit = io.berth.manifest.ManifestLoader.MAX_FILE_BYTES;
        String head = upstream.write("big.yaml", "#".repeat(limit + 1000)).commit("big");
        upstream.push();
        try (GitFetcher f = fetcher()) {
            f.fetch();
            assertThat(f.files(head, "").get(Path.of("big.yaml"))).hasSize(limit + 1);
        }
    }

    @Test
    void normalizeSpellsEachDirectoryOneWay() {
        for (String p : List.of("manifests", "./manifests", "/manifests/", "manifests//", "././manifests")) {
            assertThat(GitFetcher.normalize(p)).as(p).isEqualTo("manifests");
        }
        assertThat(GitFetcher.normalize("a/./b//c/")).isEqualTo("a/b/c");
        for (String p : List.of("", ".", "/", "./", " ")) {
            assertThat(GitFetcher.normalize(p)).as("'" + p + "'").isEmpty();
        }
        assertThat(GitFetcher.normalize(null)).isEmpty();
    }

    // ---- displayUrl --------------------------------------------------------------------------

    @Test
    void displayUrlStripsCredentials() {
        assertThat(GitFetcher.displayUrl("https://user:secret@git.example.com/team/deploy.git"))
                .isEqualTo("https://git.example.com/team/deploy.git");
        assertThat(GitFetcher.displayUrl("https://ghp_0123456789abcdef@git.example.com/team/deploy.git"))
                .as("a token pasted as the user").isEqualTo("https://git.example.com/team/deploy.git");
        assertThat(GitFetcher.displayUrl("https://git.example.com/team/deploy.git"))
                .isEqualTo("https://git.example.com/team/deploy.git");
        assertThat(GitFetcher.displayUrl("git@git.example.com:team/deploy.git"))
                .isEqualTo("git@git.example.com:team/deploy.git");
        assertThat(GitFetcher.displayUrl("ssh://git@git.example.com:2222/team/deploy.git"))
                .isEqualTo("ssh://git@git.example.com:2222/team/deploy.git");
    }

    @Test
    void theCacheDirectoryIsCreated() throws Exception {
        Path fresh = tmp.resolve("a/b/c.git");
        try (GitFetcher f = new GitFetcher(settings(upstream.fileUrl(), "main"), fresh)) {
            assertThat(fresh.resolve("HEAD")).isRegularFile();
        }
        assertThat(Files.readString(fresh.resolve("config"))).contains("bare = true");
    }
}
