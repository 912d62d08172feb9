package io.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion for tests: exit code, stdout, stderr; stdin closed; bounded in time. */
public final class Processes {

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Processes() {
    }

    public static Result run(List<String> command, Map<String, String> env, Path dir, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.getFirst(), e);
        }
        // Both pipes are read on their own threads so the deadline holds even when the process
        // (or a child that inherited its stdout) never closes them: a hung engine behind the
        // docker CLI once kept a whole CI run waiting here until its 90-minute limit.
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout.toSeconds() + " s"
                        + "; its output so far:\n" + text(out, Duration.ofSeconds(2)) + "\n--- stderr\n" + text(err, Duration.ofSeconds(2)));
            }
            // A child that outlived the command may hold the pipes open: what was written is enough.
            return new Result(p.exitValue(), text(out, Duration.ofSeconds(10)), text(err, Duration.ofSeconds(10)));
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL to the process and everything it started. */
    public static void killTree(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("processes-drain").start(() -> {
            try (in) {
                done.complete(in.readAllBytes());
            } catch (IOException e) {
                done.complete(new byte[0]);
            }
        });
        return done;
    }

    private static String text(CompletableFuture<byte[]> bytes, Duration wait) {
        try {
            return new String(bytes.get(wait.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
        } catch (java.util.concurrent.TimeoutException e) {
            return "(output still open after the command ended: a child process holds it)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            return "";
        }
    }
}
