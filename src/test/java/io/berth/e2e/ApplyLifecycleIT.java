package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Agent;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user's journey with the real {@code ./agent} and the real Docker Engine: apply, re-apply,
 * edit a limit (in place), edit an image (recreate), prune, delete — each checked with the docker
 * CLI.
 */
class ApplyLifecycleIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-" + id);
    final String web = "web-" + id;
    final String worker = "worker-" + id;

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        Docker.removeAgentContainers(agent.name());
        Docker.run("rm", "-f", "berth-ghost-" + id);
    }

    private void write(String file, String yaml) throws IOException {
        Files.writeString(dir.resolve(file), yaml);
    }

    private String webYaml(String memory, String image) {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s, labels: {tier: frontend}}
                spec:
                  resources:
                    limits: {cpu: "0.5", memory: %s}
                  image: %s
                  command: ["httpd", "-f", "-p", "8080"]
                """.formatted(web, memory, image);
    }

    private String workerYaml(String memory, String command) {
        return Manifests.containerYaml(worker, "250m", memory, "trap 'exit 0' TERM; " + command);
    }

    private String containerId(String name) {
        return Docker.inspect("berth-" + name, "{{.Id}}");
    }

    @Test
    void applyReapplyEditPruneDelete() throws IOException {
        write("web.yaml", webYaml("64Mi", "berth/busybox:1"));
        write("worker.yaml", workerYaml("32Mi", "while true; do sleep 1; done"));

        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains(web + ": created", worker + ": created");
        assertThat(Docker.inspect("berth-" + web, "{{.State.Status}} {{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}"))
                .isEqualTo("running 500000000 67108864 67108864");
        assertThat(Docker.inspect("berth-" + worker, "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}"))
                .isEqualTo("250000000 33554432 33554432");
        assertThat(Docker.inspect("berth-" + web, "{{index .Config.Labels \"io.berth.managed\"}} "
                + "{{index .Config.Labels \"io.berth.kind\"}} {{index .Config.Labels \"io.berth.source\"}} "
                + "{{index .Config.Labels \"io.berth.agent\"}}"))
                .isEqualTo("true Container " + dir.toAbsolutePath() + " " + agent.name());
        String webId = containerId(web);
        String workerId = containerId(worker);

        // Re-apply: nothing changes, same containers.
        Agent.Result again = agent.run("apply", "-f", dir.toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("Apply complete: 2 unchanged.");
        Agent.Result noop = agent.run("plan", "-f", dir.toString());
        assertThat(noop.exit()).as(noop.toString()).isZero();
        assertThat(noop.out()).contains("No changes");
        assertThat(containerId(web)).isEqualTo(webId);
        assertThat(containerId(worker)).isEqualTo(workerId);

        // One memory limit edited: plan exits 2 and marks that one field in place; apply keeps the container.
        write("worker.yaml", workerYaml("48Mi", "while true; do sleep 1; done"));
        Agent.Result plan = agent.run("plan", "-f", dir.toString(), "-o", "json");
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
        JsonNode actions = new ObjectMapper().readTree(plan.out()).get("actions");
        JsonNode workerAction = find(actions, worker);
        assertThat(workerAction.get("action").asText()).isEqualTo("update");
        assertThat(workerAction.get("changes")).hasSize(1);
        assertThat(workerAction.get("changes").get(0).get("field").asText()).isEqualTo("spec.resources.limits.memory");
        assertThat(workerAction.get("changes").get(0).get("inPlace").asBoolean()).isTrue();
        assertThat(find(actions, web).get("action").asText()).isEqualTo("unchanged");
        Agent.Result humanPlan = agent.run("plan", "-f", dir.toString());
        assertThat(humanPlan.out()).contains("spec.resources.limits.memory: 32Mi → 48Mi  [in place");

        Agent.Result update = agent.run("apply", "-f", dir.toString());
        assertThat(update.exit()).as(update.toString()).isZero();
        assertThat(update.out()).contains(worker + ": updated in place");
        assertThat(containerId(worker)).isEqualTo(workerId);
        assertThat(Docker.inspect("berth-" + worker, "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}"))
                .isEqualTo("50331648 50331648");

        // Command edited: recreate only that workload.
        write("worker.yaml", workerYaml("48Mi", "while true; do sleep 2; done"));
        Agent.Result recreatePlan = agent.run("plan", "-f", dir.toString());
        assertThat(recreatePlan.exit()).isEqualTo(2);
        assertThat(recreatePlan.out()).contains("-/+ " + worker).contains("spec.command").contains("[recreate");
        Agent.Result recreate = agent.run("apply", "-f", dir.toString());
        assertThat(recreate.exit()).as(recreate.toString()).isZero();
        assertThat(recreate.out()).contains(worker + ": recreated");
        assertThat(containerId(worker)).isNotEqualTo(workerId);
        assertThat(containerId(web)).isEqualTo(webId);

        // Prune: the worker's manifest is gone; a hand-made look-alike without labels survives.
        Docker.ok("run", "-d", "--name", "berth-ghost-" + id, "berth/busybox:1", "sleep", "300");
        Files.delete(dir.resolve("worker.yaml"));
        Agent.Result withoutPrune = agent.run("apply", "-f", dir.toString());
        assertThat(withoutPrune.exit()).isZero();
        assertThat(Docker.run("inspect", "berth-" + worker).exit()).as("no prune, no delete").isZero();
        Agent.Result prune = agent.run("apply", "-f", dir.toString(), "--prune");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(prune.out()).contains(worker + ": deleted");
        assertThat(Docker.run("inspect", "berth-" + worker).exit()).isNotZero();
        assertThat(Docker.inspect("berth-ghost-" + id, "{{.State.Status}}")).isEqualTo("running");
        assertThat(containerId(web)).isEqualTo(webId);

        // get and delete.
        Agent.Result get = agent.run("get", "-o", "json");
        assertThat(get.exit()).as(get.toString()).isZero();
        JsonNode list = new ObjectMapper().readTree(get.out());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("name").asText()).isEqualTo(web);
        assertThat(list.get(0).get("limits").get("memory").asText()).isEqualTo("64Mi");
        Agent.Result delete = agent.run("delete", web, "--grace-period", "1");
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(Docker.run("inspect", "berth-" + web).exit()).isNotZero();
        Agent.Result deleteUnknown = agent.run("delete", "ghost-" + id);
        assertThat(deleteUnknown.exit()).isEqualTo(1);
        assertThat(deleteUnknown.err()).contains("not managed by agent").doesNotContain("Exception");
        assertThat(Docker.inspect("berth-ghost-" + id, "{{.State.Status}}")).isEqualTo("running");
    }

    @Test
    void logsShowTheContainersOutput() throws IOException {
        write("talker.yaml", """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources:
                    limits: {cpu: 100m, memory: 16Mi}
                  image: berth/busybox:1
                  command: ["sh", "-c", "echo first-line; echo second-line >&2; sleep 0.5; echo last-line; trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(worker));
        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        Agent.Result logs = null;
        for (int i = 0; i < 50; i++) { // the shell needs a moment to print
            logs = agent.run("logs", worker);
            if (logs.out().contains("last-line")) {
                break;
            }
        }
        assertThat(logs.exit()).as(logs.toString()).isZero();
        assertThat(logs.out()).contains("first-line", "second-line", "last-line");
        // stdout and stderr are separate pipes: the sleep orders last-line after second-line in the log.
        Agent.Result tail = agent.run("logs", worker, "--tail", "1");
        assertThat(tail.out().strip()).isEqualTo("last-line");
        Agent.Result unknown = agent.run("logs", "nobody-" + id);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no workload named");
    }

    private static JsonNode find(JsonNode actions, String name) {
        for (JsonNode a : actions) {
            if (a.get("name").asText().equals(name)) {
                return a;
            }
        }
        throw new AssertionError("no action for " + name + " in " + actions);
    }
}
