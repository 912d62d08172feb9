package io.berth.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' own checker, {@code promtool} (Debian's prometheus package; deploy/host-setup.sh
 * installs it), and returns its exit code and output. Thread-safe.
 */
public final class Promtool {

    public static final String PROMTOOL = "promtool";

    /** Exit code and everything promtool printed (stdout and stderr together). */
    public record Result(int exit, String output) {
    }

    private Promtool() {
    }

    /** {@code promtool ARGS...} in {@code dir}, with {@code stdin} (or nothing) on its standard input. */
    public static Result run(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PROMTOOL));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("promtool " + args[0] + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }

    /** The metric names a PromQL text or dashboard queries: every Berth, process and JVM name in it. */
    public static List<String> metricNames(String promql) {
        var m = java.util.regex.Pattern.compile("\\b(?:berth|process|jvm)_[a-z0-9_]*[a-z0-9]\\b").matcher(promql);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
