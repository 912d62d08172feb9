package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Docker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agent serve} as a process, on a manifest directory, against the real Docker Engine:
 * file changes reach the host, hand-made drift is repaired from Docker's events, the API needs the
 * token, and stopping Berth leaves the workloads running.
 */
class DaemonIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-daemon-" + id;
    final String web = "dweb-" + id;
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    Process daemon;
    int port;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(Agent.root().resolve("agent").toString(), "serve",
                "--manifests", manifests.toString(), "--state-dir", state.toString(),
                "--listen", "127.0.0.1:" + port, "--agent-name", agent)
                .redirectErrorStream(true)
                .redirectOutput(state.resolve("daemon.log").toFile());
        pb.environment().put("BERTH_RESYNC_INTERVAL", "2s");
        daemon = pb.start();
        await("daemon ready", () -> get("/q/health/ready", null) == 200);
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
        Docker.removeAgentContainers(agent);
    }

    @Test
    void keepsTheHostMatchingTheDirectoryAndRepairsDrift() throws Exception {
        String container = "berth-" + web;
        write("64Mi");
        await("container created", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        assertThat(Docker.inspect(container, "{{.HostConfig.Memory}}")).isEqualTo("67108864");
        String id1 = Docker.inspect(container, "{{.Id}}");

        write("96Mi");
        await("limit changed in place", () -> Docker.inspect(container, "{{.HostConfig.Memory}}").equals("100663296"));
        assertThat(Docker.inspect(container, "{{.Id}}")).isEqualTo(id1);

        Docker.ok("update", "--memory", "48m", "--memory-swap", "48m", container);
        await("hand-made limit change reverted", () -> Docker.inspect(container, "{{.HostConfig.Memory}}").equals("100663296"));

        Docker.ok("rm", "-f", container);
        await("removed container replaced", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));

        Files.delete(manifests.resolve("web.yaml"));
        await("workload removed with its file", () -> Docker.run("inspect", container).exit() != 0);
    }

    @Test
    void theApiNeedsTheTokenAndHealthDoesNot() throws Exception {
        Path tokenFile = state.resolve("token");
        assertThat(Files.getPosixFilePermissions(tokenFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String token = Files.readString(tokenFile).strip();
        char last = token.charAt(token.length() - 1);
        String oneByteOff = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');

        assertThat(get("/api/v1/workloads", null)).isEqualTo(401);
        assertThat(get("/api/v1/workloads", "wrong")).isEqualTo(401);
        assertThat(get("/api/v1/workloads", oneByteOff)).isEqualTo(401);
        assertThat(get("/api/v1/workloads", token)).isEqualTo(200);
        assertThat(get("/q/health/live", null)).isEqualTo(200);
        assertThat(get("/q/health/ready", null)).isEqualTo(200);
    }

    @Test
    void stoppingBerthLeavesWorkloadsRunning() throws Exception {
        write("64Mi");
        String container = "berth-" + web;
        await("container created", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        daemon.destroy();
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Docker.inspect(container, "{{.State.Status}}")).isEqualTo("running");
    }

    private void write(String memory) throws IOException {
        Path tmp = manifests.resolve(".web.yaml.tmp");
        Files.writeString(tmp, """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources:
                    limits: {cpu: 100m, memory: %s}
                  image: berth/busybox:1
                  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(web, memory));
        // Atomic rename, as editors and config management do.
        Files.move(tmp, manifests.resolve("web.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private int get(String path, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive() && !what.startsWith("workload")) {
                throw new AssertionError("the daemon exited: " + Files.readString(state.resolve("daemon.log")));
            }
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (AssertionError e) {
                // docker inspect of a container that is being replaced: try again
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": not within " + WAIT.toSeconds() + " s; daemon log:\n"
                + Files.readString(state.resolve("daemon.log")));
    }
}
