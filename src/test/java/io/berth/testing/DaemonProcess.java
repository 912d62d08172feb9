package io.berth.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real {@code ./agent serve} process on a free loopback port, a manifest directory and a state
 * directory of its own, as one agent identity; with the HTTP calls and waits the tests need.
 */
public final class DaemonProcess implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(60);

    private final Path state;
    private final Path logFile;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private DaemonProcess(Path state, Path logFile, int port, Process process) {
        this.state = state;
        this.logFile = logFile;
        this.port = port;
        this.process = process;
    }

    /** Starts the daemon and waits until it is ready. {@code env} adds BERTH_* settings. */
    public static DaemonProcess start(Path manifests, Path state, String agent, Map<String, String> env,
                                      String... extraArgs) throws Exception {
        return start(manifests, state, state.resolve("daemon.log"), agent, env, extraArgs);
    }

    /** The same, with the daemon's output appended to {@code logFile} (outside a state directory that may fill up, say). */
    public static DaemonProcess start(Path manifests, Path state, Path logFile, String agent, Map<String, String> env,
                                      String... extraArgs) throws Exception {
        return start(manifests, state, logFile, agent, env, WAIT, extraArgs);
    }

    /** The same, waiting up to {@code ready} for readiness (a daemon under a slowing preload, say). */
    public static DaemonProcess start(Path manifests, Path state, Path logFile, String agent, Map<String, String> env,
                                      Duration ready, String... extraArgs) throws Exception {
        return start(Agent.root().resolve("agent"), false, manifests, state, logFile, agent, env, ready, extraArgs);
    }

    /**
     * The same from another launcher (the packaged {@code /usr/bin/berth}, say); with
     * {@code bareEnvironment} it gets only {@code PATH=/usr/bin:/bin} and {@code env}, as under
     * {@code env -i}: no JAVA_HOME, no JDK on the path but the host's own.
     */
    public static DaemonProcess start(Path launcher, boolean bareEnvironment, Path manifests, Path state, Path logFile,
                                      String agent, Map<String, String> env, Duration ready, String... extraArgs)
            throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "serve",
                "--manifests", manifests.toString(), "--state-dir", state.toString(),
                "--listen", "127.0.0.1:" + port, "--agent-name", agent));
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        if (bareEnvironment) {
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
        }
        pb.environment().put("BERTH_RESYNC_INTERVAL", "2s");
        pb.environment().putAll(env);
        DaemonProcess d = new DaemonProcess(state, logFile, port, pb.start());
        d.await("daemon ready", ready, () -> d.status("/q/health/ready", null) == 200);
        return d;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Process process() {
        return process;
    }

    public String token() throws IOException {
        return Files.readString(state.resolve("token")).strip();
    }

    /** Environment for a client command talking to this daemon. */
    public Map<String, String> clientEnv() throws IOException {
        return Map.of("BERTH_SERVER", url(), "BERTH_TOKEN", token());
    }

    public String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The HTTP status of a GET, or -1 when nothing answers. */
    public int status(String path, String token) {
        HttpResponse<String> r = get(path, token);
        return r == null ? -1 : r.statusCode();
    }

    /** A GET with the token, or null when nothing answers. */
    public HttpResponse<String> get(String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).GET(), token);
    }

    public HttpResponse<String> post(String path, String token, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)), token);
    }

    /** A POST without the token, with these headers (a git host's webhook). */
    public HttpResponse<String> post(String path, Map<String, String> headers, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b, null);
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String token) {
        try {
            b.timeout(Duration.ofSeconds(120));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Polls until the condition holds; fails with the daemon's log after {@link #WAIT} or if it dies. */
    public void await(String what, BooleanSupplier condition) throws Exception {
        await(what, WAIT, condition);
    }

    public void await(String what, Duration wait, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(what + ": the daemon exited:\n" + log());
            }
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (AssertionError e) {
                // e.g. docker inspect of a container being replaced: try again
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": not within " + wait.toSeconds() + " s; daemon log:\n" + log());
    }

    /** Polls until the supplier gives a value without failing, and returns it. */
    public String awaitValue(String what, java.util.function.Supplier<String> value) throws Exception {
        String[] found = new String[1];
        await(what, () -> {
            found[0] = value.get();
            return found[0] != null && !found[0].isEmpty();
        });
        return found[0];
    }

    /** Stops the daemon (SIGTERM); workloads keep running. */
    public boolean stop() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
        }
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop()) {
            process.destroyForcibly();
        }
    }
}
