package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.util.Hosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon's rules for running workloads, against the real Docker Engine: restartPolicy with
 * Berth's own back-off and restart count, restarts of containers whose health check fails
 * (Docker never does that: moby#28400), and admission — a workload that does not fit stays
 * Pending with the numbers, and starts when capacity is freed.
 */
class WorkloadRulesIT {

    static final ObjectMapper JSON = new ObjectMapper();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-rules-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agentName);
    }

    @Test
    void restartPolicyIsCarriedOutByBerthWithABackOffAndARestartCount() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of("BERTH_RESTART_INITIAL_BACKOFF", "1s"));
        String crash = "crash-" + id;
        String done = "done-" + id;
        String never = "never-" + id;
        write(crash, "100m", "Always", "[\"sh\", \"-c\", \"sleep 1; exit 3\"]", "");
        write(done, "100m", "OnFailure", "[\"sh\", \"-c\", \"exit 0\"]", "");
        write(never, "100m", "Never", "[\"sh\", \"-c\", \"exit 1\"]", "");

        daemon.await("a crashing Always container restarted three times", () -> workload(crash).path("restarts").asInt() >= 3);
        JsonNode c = workload(crash);
        assertThat(Docker.inspect("berth-" + crash, "[{{.HostConfig.RestartPolicy.Name}}]")).isEqualTo("[]"); // Docker's "no"
        // back-off: restarts 2 and 3 waited 1 s and 2 s, so three restarts take at least 3 s after the first exit
        List<String> restartTimes = events(crash, "Restarted");
        assertThat(restartTimes).hasSizeGreaterThanOrEqualTo(3);
        assertThat(Duration.between(java.time.Instant.parse(restartTimes.get(0)), java.time.Instant.parse(restartTimes.get(2))))
                .isGreaterThanOrEqualTo(Duration.ofMillis(2900));
        assertThat(c.path("kind").asText()).isEqualTo("Container");

        daemon.await("OnFailure after exit 0 and Never after exit 1 stay stopped",
                () -> "Stopped".equals(workload(done).path("phase").asText()) && "Stopped".equals(workload(never).path("phase").asText()));
        Thread.sleep(3000); // several resyncs (2 s) later: still not restarted
        assertThat(workload(done).path("restarts").asInt()).isZero();
        assertThat(workload(never).path("restarts").asInt()).isZero();
        assertThat(workload(never).path("exitCode").asInt()).isEqualTo(1);
        assertThat(Docker.inspect("berth-" + never, "{{.State.Status}}")).isEqualTo("exited");
    }

    @Test
    void aContainerWhoseHealthCheckFailsIsRestarted() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of());
        String sick = "sick-" + id;
        write(sick, "100m", "Always", "[\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]",
                "  healthCheck: {command: [\"false\"], interval: 1s, timeout: 1s, retries: 2}\n");
        String firstStart = daemon.awaitValue("container running", () -> Docker.inspect("berth-" + sick, "{{.State.StartedAt}}"));
        daemon.await("restarted after its health check failed", () -> workload(sick).path("restarts").asInt() >= 1);
        assertThat(events(sick, "Restarted")).isNotEmpty();
        assertThat(Docker.inspect("berth-" + sick, "{{.State.StartedAt}}")).isNotEqualTo(firstStart);
        assertThat(eventMessages(sick)).anyMatch(m -> m.contains("health check failed"));
    }

    @Test
    void aWorkloadThatDoesNotFitStaysPendingWithTheReasonAndStartsWhenCapacityIsFreed() throws Exception {
        long reserve = Hosts.cpuMillis() - 300; // 300m allocatable
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of(
                "BERTH_ADMISSION_RESERVED_CPU", reserve + "m"));
        String a = "fit-a-" + id;
        String b = "fit-b-" + id;
        write(a, "200m", "Always", "[\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]", "");
        write(b, "200m", "Always", "[\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]", "");
        daemon.await("one runs, one is pending", () -> phases(a, b).containsAll(List.of("Running", "Pending")));
        String pending = "Pending".equals(workload(a).path("phase").asText()) ? a : b;
        String running = pending.equals(a) ? b : a;
        assertThat(workload(pending).path("lastError").asText())
                .startsWith("does not fit on this host: cpu needs 200m, free 100m of allocatable 300m");
        assertThat(Docker.run("inspect", "berth-" + pending).exit()).isNotZero();
        Agent.Result describe = new Agent(agentName).run(daemon.clientEnv(), "describe", pending);
        assertThat(describe.out()).as(describe.toString()).contains("Phase:        Pending", "cpu needs 200m, free 100m");

        Files.delete(manifests.resolve(running + ".yaml"));
        daemon.await("the pending one starts once capacity is freed",
                () -> Docker.run("inspect", "berth-" + pending).exit() == 0
                        && Docker.inspect("berth-" + pending, "{{.State.Status}}").equals("running"));
        assertThat(Docker.run("inspect", "berth-" + running).exit()).isNotZero();
    }

    private List<String> phases(String... names) {
        return java.util.Arrays.stream(names).map(n -> workload(n).path("phase").asText()).toList();
    }

    private JsonNode workload(String name) {
        try {
            HttpResponse<String> r = daemon.get("/api/v1/workloads/" + name, daemon.token());
            return r == null || r.statusCode() != 200 ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** When events of this type happened to the workload (ISO instants, oldest first). */
    private List<String> events(String name, String type) {
        return eventNodes(name).stream().filter(e -> type.equals(e.path("type").asText())).map(e -> e.path("at").asText()).toList();
    }

    private List<String> eventMessages(String name) {
        return eventNodes(name).stream().map(e -> e.path("message").asText()).toList();
    }

    private List<JsonNode> eventNodes(String name) {
        try {
            JsonNode all = JSON.readTree(daemon.get("/api/v1/events", daemon.token()).body());
            List<JsonNode> out = new java.util.ArrayList<>();
            all.forEach(e -> {
                if (name.equals(e.path("name").asText())) {
                    out.add(e);
                }
            });
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void write(String name, String cpu, String restart, String command, String extra) throws IOException {
        Path tmp = manifests.resolve("." + name + ".tmp");
        Files.writeString(tmp, """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources:
                    limits: {cpu: %s, memory: 32Mi}
                  image: berth/busybox:1
                  restartPolicy: %s
                  command: %s
                %s""".formatted(name, cpu, restart, command, extra));
        Files.move(tmp, manifests.resolve(name + ".yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
