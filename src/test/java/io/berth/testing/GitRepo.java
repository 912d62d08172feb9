package io.berth.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local bare repository and a working clone that pushes to it, driven with the git command line
 * (as a person or a pipeline would): the remote Berth's git source follows, over file://. Its
 * {@link #git} runner also drives the fetcher tests' upstream.
 */
public final class GitRepo {

    private final Path bare;
    private final Path work;

    private GitRepo(Path bare, Path work) {
        this.bare = bare;
        this.work = work;
    }

    /** An empty repository whose default branch is {@code main}, under {@code dir}. */
    public static GitRepo create(Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Path bare = dir.resolve("fleet.git");
        Path work = dir.resolve("work");
        git(dir, "init", "-q", "--bare", "-b", "main", bare.toString());
        git(dir, "init", "-q", "-b", "main", work.toString());
        git(work, "remote", "add", "origin", bare.toString());
        return new GitRepo(bare, work);
    }

    public String url() {
        return "file://" + bare;
    }

    public void write(String path, String content) throws IOException {
        Path f = work.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
    }

    public void delete(String path) throws IOException {
        Files.delete(work.resolve(path));
    }

    /** Commits everything and pushes it; returns the new commit id. */
    public String commit(String message) throws Exception {
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", message);
        return push();
    }

    /** Reverts a commit (a new commit undoing it) and pushes; returns the new commit id. */
    public String revert(String commit) throws Exception {
        git(work, "revert", "--no-edit", commit);
        return push();
    }

    private String push() throws Exception {
        git(work, "push", "-q", "origin", "HEAD:main");
        return git(work, "rev-parse", "HEAD").strip();
    }

    /**
     * Runs the system's git in {@code dir} with a fixed identity, keeping the user's and the
     * system's git configuration out (a developer's ~/.gitconfig cannot change what a test sees);
     * returns its output, or fails naming the command and its output.
     */
    public static String git(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=Test Author",
                "-c", "user.email=author@example.com", "-c", "commit.gpgsign=false", "-c", "core.symlinks=true"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
