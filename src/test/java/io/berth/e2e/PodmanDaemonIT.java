package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Podman;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agent serve} with {@code DOCKER_HOST} on Podman's Docker-compatible socket, checked with
 * the podman CLI: a file's container is created with Berth's ownership labels, a limit change is
 * carried out (by a recreate: Podman 4.3 cannot change limits in place for good), a container
 * removed by hand is replaced (Podman's event stream), and removing the file removes it.
 */
class PodmanDaemonIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-podman-" + id;
    final String web = "pweb-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;
    @TempDir
    Path planDir;

    DaemonProcess daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("DOCKER_HOST", Podman.HOST));
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
        Podman.removeAgentContainers(agent);
    }

    private boolean running(String container) {
        return Podman.run("container", "exists", container).exit() == 0
                && Podman.inspect(container, "{{.State.Status}}").equals("running");
    }

    @Test
    void keepsPodmanMatchingTheDirectoryAndRepairsDrift() throws Exception {
        String container = "berth-" + web;
        write("64Mi");
        daemon.await("container created on Podman", () -> running(container));
        assertThat(Podman.inspect(container, "{{.HostConfig.Memory}}")).isEqualTo("67108864");
        assertThat(Podman.inspect(container, "{{index .Config.Labels \"io.berth.managed\"}} {{index .Config.Labels \"io.berth.agent\"}}"))
                .isEqualTo("true " + agent);
        String id1 = Podman.inspect(container, "{{.Id}}");

        // What the plan says for that change on Podman: a recreate, and why (never "update in place").
        Path wanted = ClientModeIT.write(planDir.resolve("web.yaml"), web, "96Mi", "");
        Agent.Result plan = Agent.local(agent).run(Map.of("DOCKER_HOST", Podman.HOST), "plan", "-f",
                wanted.toString());
        assertThat(plan.out()).as(plan.toString()).contains("recreate", "spec.resources.limits.memory",
                "cannot change limits in place for good", "0 to update in place, 1 to recreate");

        write("96Mi");
        daemon.await("limit changed", () -> running(container)
                && Podman.inspect(container, "{{.HostConfig.Memory}}").equals("100663296"));
        assertThat(Podman.inspect(container, "{{.Id}}")).as("recreated on Podman 4.3").isNotEqualTo(id1);

        Podman.ok("rm", "-f", "-t", "0", container);
        daemon.await("removed container replaced", () -> running(container));

        Files.delete(manifests.resolve("web.yaml"));
        daemon.await("workload removed with its file", () -> Podman.run("container", "exists", container).exit() != 0);
    }

    private void write(String memory) throws IOException {
        ClientModeIT.write(manifests.resolve("web.yaml"), web, memory, ""); // atomic rename, as editors do
    }
}
