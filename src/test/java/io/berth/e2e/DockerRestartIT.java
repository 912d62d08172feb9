package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Berth survives dockerd going away and catches up when it returns: the daemon stays up, its
 * readiness goes false while it cannot relist and true again after, and the host converges (the
 * containers dockerd's stop killed run again). Stops the host's real dockerd, so it brings it back
 * through deploy/host-setup.sh whatever happens.
 */
class DockerRestartIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-dockerd-" + id;
    final String web = "survive-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        startDockerd();
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agentName);
    }

    @Test
    void berthStaysUpWhileDockerdRestartsReadinessFollowsAndTheHostConverges() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of("BERTH_RESYNC_INTERVAL", "1s"));
        Files.writeString(manifests.resolve("web.yaml"), """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources: {limits: {cpu: 100m, memory: 32Mi}}
                  image: berth/busybox:1
                  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(web));
        String container = "berth-" + web;
        daemon.await("running", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        String before = Docker.inspect(container, "{{.State.StartedAt}}");

        stopDockerd();
        daemon.await("readiness false while dockerd is gone", Duration.ofSeconds(30),
                () -> daemon.status("/q/health/ready", null) == 503);
        assertThat(daemon.process().isAlive()).isTrue();
        assertThat(daemon.status("/q/health/live", null)).isEqualTo(200);

        startDockerd();
        daemon.await("readiness true again", Duration.ofSeconds(60), () -> daemon.status("/q/health/ready", null) == 200);
        daemon.await("the container runs again", Duration.ofSeconds(60), () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running")
                && !Docker.inspect(container, "{{.State.StartedAt}}").equals(before));
        assertThat(Docker.run("ps", "-aq", "--filter", "label=io.berth.agent=" + agentName).out().strip().lines())
                .as("exactly one container, no duplicate").hasSize(1);
    }

    private static boolean systemd() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    private static void stopDockerd() throws Exception {
        if (systemd()) {
            Processes.run(List.of("systemctl", "stop", "docker.socket", "docker"), Map.of(), Agent.root(), Duration.ofSeconds(60));
        } else {
            String pid = Files.readString(Path.of("/var/run/docker.pid")).strip();
            Processes.run(List.of("kill", pid), Map.of(), Agent.root(), Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (Files.exists(Path.of("/proc", pid)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        assertThat(Docker.run("info").exit()).as("dockerd stopped").isNotZero();
    }

    /** Idempotent: host setup starts dockerd if it is not answering, and is quick when all else is in place. */
    private static void startDockerd() {
        if (Docker.run("info").exit() == 0) {
            return;
        }
        Processes.Result r = Processes.run(List.of("bash", Agent.root().resolve("deploy/host-setup.sh").toString()),
                Map.of(), Agent.root(), Duration.ofSeconds(300));
        assertThat(r.exit()).as("host setup brings dockerd back: " + r.err()).isZero();
    }
}
