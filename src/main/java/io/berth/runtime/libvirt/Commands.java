package io.berth.runtime.libvirt;

import io.berth.runtime.RuntimeFailure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs host tools (qemu-img, genisoimage) with a timeout; failures name the workload and the tool's words. */
final class Commands {

    record Result(int exit, String out, String err) {
    }

    private Commands() {
    }

    static Result run(List<String> command, Duration timeout) throws IOException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            // Small outputs only (qemu-img info, genisoimage): read after exit, bounded by the timeout.
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.getFirst() + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Runs and requires exit 0, else a RuntimeFailure for {@code workload} saying what failed. */
    static String check(String workload, String what, List<String> command, Duration timeout) {
        try {
            Result r = run(command, timeout);
            if (r.exit() != 0) {
                throw new RuntimeFailure(workload, workload + ": " + what + ": " + firstLine(r.err().isBlank() ? r.out() : r.err()));
            }
            return r.out();
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": " + what + ": " + e.getMessage(), e);
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
