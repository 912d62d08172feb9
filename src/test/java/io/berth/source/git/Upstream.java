package io.berth.source.git;

import io.berth.testing.GitRepo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real upstream for the fetcher tests: a bare repository and a working clone of it, driven with
 * the system's {@code git} ({@link GitRepo#git}; not JGit, so the fetcher is tested against what
 * real servers hold). Unlike {@link GitRepo}, it stages and pushes step by step, and makes
 * symbolic links, submodule entries and rewritten histories.
 */
final class Upstream {

    final Path bare;
    final Path work;
    final String branch;

    private Upstream(Path bare, Path work, String branch) {
        this.bare = bare;
        this.work = work;
        this.branch = branch;
    }

    /** An empty bare repository under {@code dir} with a clone to commit in, on {@code branch}. */
    static Upstream create(Path dir, String branch) throws IOException {
        Path bare = dir.resolve("upstream.git");
        Path work = dir.resolve("work");
        GitRepo.git(dir, "init", "-q", "--bare", "-b", branch, bare.toString());
        GitRepo.git(dir, "init", "-q", "-b", branch, work.toString());
        Upstream u = new Upstream(bare, work, branch);
        u.git("remote", "add", "origin", bare.toString());
        return u;
    }

    String fileUrl() {
        return bare.toUri().toString();
    }

    /** Writes a file of the working clone (creating its directories) and stages it. */
    Upstream write(String path, String content) throws IOException {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        git("add", "--", path);
        return this;
    }

    Upstream symlink(String path, String target) throws IOException {
        Path link = work.resolve(path);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
        git("add", "--", path);
        return this;
    }

    /** A submodule entry (a gitlink) at {@code path}, pointing at {@code commit} of some other repository. */
    Upstream gitlink(String path, String commit) throws IOException {
        git("update-index", "--add", "--cacheinfo", "160000," + commit + "," + path);
        return this;
    }

    Upstream remove(String path) throws IOException {
        git("rm", "-q", "-r", "--", path);
        return this;
    }

    /** Commits what is staged and returns the new commit id. */
    String commit(String message) throws IOException {
        git("commit", "-q", "--allow-empty", "-m", message);
        return head();
    }

    String head() throws IOException {
        return git("rev-parse", "HEAD").strip();
    }

    void push() throws IOException {
        git("push", "-q", "origin", branch);
    }

    /**
     * Replaces the branch's history with one new root commit holding {@code files}, force-pushes it
     * and drops every unreachable object from the bare repository, so the old head is really gone.
     */
    String rewriteHistory(Map<String, String> files, String message) throws IOException {
        git("checkout", "-q", "--orphan", "rewritten");
        git("rm", "-q", "-r", "--cached", "--ignore-unmatch", ".");
        for (Map.Entry<String, String> f : files.entrySet()) {
            write(f.getKey(), f.getValue());
        }
        String commit = commit(message);
        git("branch", "-q", "-D", branch);
        git("branch", "-q", "-m", branch);
        git("push", "-q", "--force", "origin", branch);
        GitRepo.git(bare, "reflog", "expire", "--expire=now", "--all");
        GitRepo.git(bare, "gc", "-q", "--prune=now");
        return commit;
    }

    String git(String... args) throws IOException {
        return GitRepo.git(work, args);
    }
}
