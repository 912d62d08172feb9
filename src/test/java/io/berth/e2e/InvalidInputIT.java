package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Docker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input through the real {@code ./agent}: one line per error with file:line:col, exit 1, no
 * stack trace, and nothing on the host changes — not even the valid manifests next to the bad ones.
 */
class InvalidInputIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-invalid-" + id);

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        Docker.removeAgentContainers(agent.name());
    }

    @Test
    void invalidManifestsChangeNothingAndPointAtEachMistake() throws IOException {
        Files.writeString(dir.resolve("a-good.yaml"), """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: good-%s}
                spec:
                  resources: {limits: {cpu: 100m, memory: 16Mi}}
                  image: berth/busybox:1
                  command: ["sleep", "300"]
                """.formatted(id));
        Files.writeString(dir.resolve("b-bad.yaml"), """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: Bad_Name}
                spec:
                  resources: {limits: {cpu: lots, memory: 16Mi}}
                  image: berth/busybox:1
                  restartPolicy: Sometimes
                """);
        Path bad = dir.resolve("b-bad.yaml");

        Agent.Result validate = agent.run("validate", "-f", dir.toString());
        assertThat(validate.exit()).as(validate.toString()).isEqualTo(1);
        String[] lines = validate.err().strip().split("\n");
        assertThat(Arrays.stream(lines).filter(l -> l.startsWith(bad.toString() + ":"))).hasSize(3);
        assertThat(validate.err())
                .contains(bad + ":3:18: metadata.name:")
                .contains(bad + ":5:29: spec.resources.limits.cpu:")
                .contains(bad + ":7:18: spec.restartPolicy:")
                .contains("Always")
                .doesNotContain("Exception").doesNotContain("\tat ");

        for (String verb : new String[] {"apply", "plan"}) {
            Agent.Result r = agent.run(verb, "-f", dir.toString());
            assertThat(r.exit()).as(verb + ": " + r).isEqualTo(1);
            assertThat(r.err()).contains(bad + ":5:29: spec.resources.limits.cpu:").contains("nothing was changed");
        }
        assertThat(Docker.ok("ps", "-aq", "--filter", "label=io.berth.agent=" + agent.name())).isEmpty();
    }

    @Test
    void validManifestsValidate() {
        Agent.Result r = agent.run("validate", "-f", Agent.root().resolve("manifests").toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("\\d+ workloads? valid");
    }

    @Test
    void aYamlBombIsRefusedQuickly() throws IOException {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char p = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append(",*").append(p).append("]\n");
        }
        Files.writeString(dir.resolve("bomb.yaml"), bomb);
        Agent.Result r = agent.run("validate", "-f", dir.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("bomb.yaml:").doesNotContain("OutOfMemoryError").doesNotContain("Exception");
    }

    @Test
    void anUnreachableEngineExitsThree() {
        Agent.Result r = agent.run(Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock"), "get");
        assertThat(r.exit()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("cannot reach the Docker Engine").doesNotContain("\tat ");
    }
}
