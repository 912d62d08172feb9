package io.berth.source;

import io.berth.reconcile.StatusBook;

import io.berth.manifest.HostPolicy;
import io.berth.testing.GitRepo;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The git source against real repositories (file://, the git command line) and the real desired
 * state, without runtimes: what a commit does to the desired state, what is recorded and reported.
 */
class GitSyncTest {

    @TempDir
    Path dir;
    @TempDir
    Path state;

    final Set<String> enqueued = new HashSet<>();
    final StatusBook book = new StatusBook();
    final List<GitSync> syncs = new ArrayList<>();
    DesiredState desired;

    @AfterEach
    void close() {
        syncs.forEach(GitSync::close);
    }

    GitSync sync(String url, String path) {
        desired = new DesiredState("/etc/berth/manifests", Map::of, state);
        desired.load();
        GitSync s = new GitSync(config(url, path), state, desired, enqueued::addAll, book, HostPolicy.of(null, false));
        syncs.add(s);
        return s;
    }

    static GitSync.Result now(GitSync s) throws Exception {
        return s.syncNow().get(60, TimeUnit.SECONDS);
    }

    static String yaml(String name, String memory) {
        return Manifests.containerYaml(name, "50m", memory, Manifests.SLEEP);
    }

    @Test
    void aCommitBecomesTheSourcesDesiredStateAndARemovedFileIsPruned() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("fleet/web.yaml", yaml("web", "32Mi"));
        repo.write("fleet/db.yaml", yaml("db", "64Mi"));
        repo.write("other/ignored.yaml", yaml("elsewhere", "16Mi"));
        String first = repo.commit("two");
        GitSync s = sync(repo.url(), "fleet");

        GitSync.Result r = now(s);
        assertThat(r.ok()).isTrue();
        assertThat(r.applied().commit()).isEqualTo(first);
        assertThat(r.changed()).containsExactlyInAnyOrder("web", "db");
        assertThat(desired.find("web").source()).isEqualTo("git:" + repo.url());
        assertThat(desired.find("elsewhere")).as("outside berth.git.path").isNull();
        assertThat(enqueued).containsExactlyInAnyOrder("web", "db");

        enqueued.clear();
        assertThat(now(s).changed()).as("the same head again changes nothing").isEmpty();
        assertThat(enqueued).isEmpty();

        repo.delete("fleet/db.yaml");
        repo.commit("drop db");
        r = now(s);
        assertThat(r.changed()).containsExactly("db");
        assertThat(desired.find("db")).isNull();
        assertThat(desired.find("web")).isNotNull();
        assertThat(book.events()).extracting(StatusBook.Event::type).containsOnly("RevisionApplied");
    }

    @Test
    void anInvalidCommitChangesNothingIsReportedOnceAndTheNextGoodOneIsApplied() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("web.yaml", yaml("web", "32Mi"));
        String good = repo.commit("good");
        GitSync s = sync(repo.url(), ".");
        now(s);

        repo.write("web.yaml", yaml("web", "48Mi"));
        repo.write("db.yaml", yaml("db", "64Mi").replace("50m", "lots"));
        String bad = repo.commit("bad");
        GitSync.Result r = now(s);
        assertThat(r.ok()).isFalse();
        assertThat(r.fetched().commit()).isEqualTo(bad);
        assertThat(r.applied().commit()).isEqualTo(good);
        assertThat(r.error()).contains("revision " + bad.substring(0, 12) + " is invalid, nothing of it was applied")
                .contains("db.yaml:6:").contains(good.substring(0, 12) + " stays in force");
        assertThat(desired.find("web").workload().resources().limits().memoryBytes()).as("not half-applied")
                .isEqualTo(32L << 20);
        assertThat(desired.find("db")).isNull();
        assertThat(now(s).error()).as("the same bad head again: still refused").isEqualTo(r.error());
        assertThat(book.events().stream().filter(e -> e.type().equals("InvalidRevision")).count()).isEqualTo(1);
        Map<String, Object> status = s.status();
        assertThat(status.get("errorRevision")).isEqualTo(bad);

        repo.revert(bad);
        r = now(s);
        assertThat(r.ok()).isTrue();
        assertThat(s.status().get("error")).isNull();
        assertThat(desired.find("web").workload().resources().limits().memoryBytes()).isEqualTo(32L << 20);
    }

    @Test
    void aNameAnotherSourceOwnsRefusesTheWholeCommit() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("web.yaml", yaml("web", "32Mi"));
        repo.write("db.yaml", yaml("db", "32Mi"));
        repo.commit("takes db");
        GitSync s = sync(repo.url(), ".");
        desired.apply(Map.of("/srv/ops/db.yaml", List.of(Manifests.one(yaml("db", "64Mi")))), false);
        GitSync.Result r = now(s);
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("declares names other sources own").contains("/srv/ops/db.yaml");
        assertThat(desired.find("web")).isNull();
    }

    @Test
    void aRestartKeepsTheAppliedRevisionAndAMissingPathIsRefused() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("fleet/web.yaml", yaml("web", "32Mi"));
        String first = repo.commit("first");
        GitSync s = sync(repo.url(), "fleet");
        now(s);
        s.close();

        GitSync again = sync(repo.url(), "fleet");
        assertThat(desired.find("web")).as("persisted by the desired state").isNotNull();
        assertThat(((GitSync.Seen) again.status().get("applied")).commit()).isEqualTo(first);
        enqueued.clear();
        assertThat(now(again).changed()).isEmpty();

        GitSync moved = sync(repo.url(), "renamed");
        GitSync.Result r = now(moved);
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("renamed").contains(first.substring(0, 12) + " stays in force");
        assertThat(desired.find("web")).as("a renamed path does not prune everything").isNotNull();
    }

    @Test
    void aCommitThatRemovesTheConfiguredPathIsRefusedAndTheLastGoodRevisionStays() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("fleet/web.yaml", yaml("web", "32Mi"));
        repo.write("fleet/db.yaml", yaml("db", "64Mi"));
        String good = repo.commit("two");
        GitSync s = sync(repo.url(), "fleet");
        now(s);

        repo.delete("fleet/web.yaml");
        repo.delete("fleet/db.yaml"); // the directory is gone from the tree with its last file
        repo.write("README.md", "moved the manifests away");
        String gone = repo.commit("reorganise");
        enqueued.clear();
        GitSync.Result r = now(s);
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("revision " + gone.substring(0, 12), "no directory fleet",
                "berth.git.path", good.substring(0, 12) + " stays in force");
        assertThat(desired.find("web")).as("a vanished path is an error, not an empty set").isNotNull();
        assertThat(desired.find("db")).isNotNull();
        assertThat(enqueued).isEmpty();
        assertThat(book.events()).filteredOn(e -> e.type().equals("InvalidRevision")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("no directory fleet"));

        repo.write("fleet/web.yaml", yaml("web", "32Mi"));
        repo.write("fleet/.keep", ""); // an existing path with no manifest but this one
        repo.commit("web back, db gone");
        r = now(s);
        assertThat(r.ok()).isTrue();
        assertThat(r.changed()).containsExactly("db");

        repo.delete("fleet/web.yaml");
        repo.commit("empty on purpose");
        r = now(s);
        assertThat(r.ok()).as("an existing path without manifests is a valid empty set").isTrue();
        assertThat(r.changed()).containsExactly("web");
        assertThat(desired.declaresNothing(s.source())).isTrue();
    }

    @Test
    void aNewUrlRetiresTheOldGitSourceAndTakesOverItsNames() throws Exception {
        GitRepo old = GitRepo.create(dir.resolve("old"));
        old.write("web.yaml", yaml("web", "32Mi"));
        old.write("db.yaml", yaml("db", "32Mi"));
        old.commit("old");
        now(sync(old.url(), "."));

        GitRepo fresh = GitRepo.create(dir.resolve("new"));
        fresh.write("web.yaml", yaml("web", "32Mi"));
        fresh.commit("new");
        GitSync.Result r = now(sync(fresh.url(), "."));
        assertThat(r.ok()).as(String.valueOf(r.error())).isTrue();
        assertThat(desired.find("web").source()).isEqualTo("git:" + fresh.url());
        assertThat(desired.find("db")).as("the old URL's leftovers are pruned").isNull();
        assertThat(r.changed()).contains("db");
    }

    static GitConfig config(String url, String path) {
        return new GitConfig() {
            public Optional<String> url() {
                return Optional.of(url);
            }

            public String branch() {
                return "main";
            }

            public String path() {
                return path;
            }

            public Duration interval() {
                return Duration.ofHours(1);
            }

            public Optional<Path> webhookSecretFile() {
                return Optional.empty();
            }

            public Duration webhookMaxAge() {
                return Duration.ofMinutes(5);
            }

            public Optional<Path> tokenFile() {
                return Optional.empty();
            }

            public String username() {
                return "git";
            }

            public Optional<Path> sshKeyFile() {
                return Optional.empty();
            }

            public Optional<Path> knownHostsFile() {
                return Optional.empty();
            }

            public Duration timeout() {
                return Duration.ofSeconds(30);
            }
        };
    }
}
