package io.berth.e2e;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agent serve} as a process, on a manifest directory, against the real Docker Engine:
 * file changes reach the host, hand-made drift is repaired from Docker's events, the API needs the
 * token, and stopping Berth leaves the workloads running.
 */
class DaemonIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-daemon-" + id;
    final String web = "dweb-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
        Docker.removeAgentContainers(agent);
    }

    @Test
    void keepsTheHostMatchingTheDirectoryAndRepairsDrift() throws Exception {
        String container = "berth-" + web;
        write("64Mi");
        daemon.await("container created", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        assertThat(Docker.inspect(container, "{{.HostConfig.Memory}}")).isEqualTo("67108864");
        String id1 = Docker.inspect(container, "{{.Id}}");

        write("96Mi");
        daemon.await("limit changed in place", () -> Docker.inspect(container, "{{.HostConfig.Memory}}").equals("100663296"));
        assertThat(Docker.inspect(container, "{{.Id}}")).isEqualTo(id1);

        Docker.ok("update", "--memory", "48m", "--memory-swap", "48m", container);
        daemon.await("hand-made limit change reverted", () -> Docker.inspect(container, "{{.HostConfig.Memory}}").equals("100663296"));

        Docker.ok("rm", "-f", container);
        daemon.await("removed container replaced", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));

        Files.delete(manifests.resolve("web.yaml"));
        daemon.await("workload removed with its file", () -> Docker.run("inspect", container).exit() != 0);
    }

    @Test
    void detectOnlyReportsDriftAndTouchesNothing() throws Exception {
        String container = "berth-" + web;
        write("64Mi");
        daemon.await("container created", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        daemon.close();
        daemon = DaemonProcess.start(manifests, state, agent, Map.of(), "--detect-only");

        String token = daemon.token();
        Docker.ok("update", "--memory", "48m", "--memory-swap", "48m", container);
        daemon.await("the drift is reported", () -> {
            String w = daemon.get("/api/v1/workloads/" + web, token).body();
            return w.contains("\"phase\":\"Drifted\"") && w.contains("DriftDetected");
        });
        Thread.sleep(4000); // two resyncs later
        assertThat(Docker.inspect(container, "{{.HostConfig.Memory}}")).as("not repaired").isEqualTo(Long.toString(48L << 20));

        Docker.ok("stop", "-t", "1", container);
        daemon.await("the stop is reported", () -> daemon.get("/api/v1/events", token).body()
                .contains("would update in place, then start"));
        assertThat(daemon.get("/api/v1/events", token).body().split("DriftDetected", -1))
                .as("one event per distinct drift, not one per resync").hasSize(3);
        Thread.sleep(3000);
        assertThat(Docker.inspect(container, "{{.State.Status}}")).as("not restarted").isEqualTo("exited");
    }

    @Test
    void theApiNeedsTheTokenAndHealthDoesNot() throws Exception {
        Path tokenFile = state.resolve("token");
        assertThat(Files.getPosixFilePermissions(tokenFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String token = Files.readString(tokenFile).strip();
        char last = token.charAt(token.length() - 1);
        String oneByteOff = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');

        assertThat(daemon.status("/api/v1/workloads", null)).isEqualTo(401);
        assertThat(daemon.status("/api/v1/workloads", "wrong")).isEqualTo(401);
        assertThat(daemon.status("/api/v1/workloads", oneByteOff)).isEqualTo(401);
        assertThat(daemon.status("/api/v1/workloads", token)).isEqualTo(200);
        assertThat(daemon.status("/q/health/live", null)).isEqualTo(200);
        assertThat(daemon.status("/q/health/ready", null)).isEqualTo(200);
    }

    @Test
    void stoppingBerthLeavesWorkloadsRunning() throws Exception {
        write("64Mi");
        String container = "berth-" + web;
        daemon.await("container created", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        assertThat(daemon.stop()).isTrue();
        assertThat(Docker.inspect(container, "{{.State.Status}}")).isEqualTo("running");
    }

    private void write(String memory) throws IOException {
        ClientModeIT.write(manifests.resolve("web.yaml"), web, memory, ""); // atomic rename, as editors do
    }
}
