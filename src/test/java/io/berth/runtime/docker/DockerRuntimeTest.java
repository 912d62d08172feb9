package io.berth.runtime.docker;

import io.berth.manifest.Limits;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Docker specifics against the real engine, checked with the docker CLI and from inside the
 * container's cgroup: the limits are really hard, the ownership labels are there, and nothing
 * without Berth's labels is ever touched.
 */
class DockerRuntimeTest {

    final String agent = "dockertest-" + UUID.randomUUID().toString().substring(0, 8);
    final String prefix = "dt" + UUID.randomUUID().toString().substring(0, 6);
    final DockerRuntime runtime = new DockerRuntime(agent, io.berth.manifest.Redaction.ephemeral());
    final Ownership ownership = new Ownership(agent, "/test/manifests");

    @AfterEach
    void cleanUp() {
        runtime.close();
        Docker.removeAgentContainers(agent);
    }

    @Test
    void everyDeclaredFieldReachesDockerAndLimitsAreHard() {
        Workload w = Manifests.one("""
                apiVersion: berth.io/v1
                kind: Container
                metadata:
                  name: %s-web
                  labels: {tier: frontend}
                spec:
                  resources:
                    limits: {cpu: "0.5", memory: 64Mi, pids: 100}
                  image: berth/busybox:1
                  command: ["httpd"]
                  args: ["-f", "-p", "8080"]
                  env: [{name: MODE, value: prod}]
                  ports: [{containerPort: 8080, hostPort: 0}]
                  volumes: [{name: %s-data, mountPath: /data}]
                  restartPolicy: OnFailure
                  healthCheck: {command: ["true"], interval: 10s, timeout: 2s, retries: 4}
                  securityContext: {user: "1000", readOnlyRootFilesystem: true}
                """.formatted(prefix, prefix));
        runtime.create(w, ownership);
        runtime.start(w.name());
        String c = "berth-" + w.name();

        assertThat(Docker.inspect(c, "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}"))
                .isEqualTo("500000000 67108864 67108864 100");
        assertThat(Docker.inspect(c, "{{json .Config.Entrypoint}} {{json .Config.Cmd}}"))
                .isEqualTo("[\"httpd\"] [\"-f\",\"-p\",\"8080\"]");
        assertThat(Docker.inspect(c, "{{json .Config.Env}}")).contains("\"MODE=prod\"");
        // restartPolicy is carried out by Berth (backoff, restart count, unhealthy restarts), never by Docker too
        assertThat(Docker.inspect(c, "[{{.HostConfig.RestartPolicy.Name}}] {{.Config.User}} {{.HostConfig.ReadonlyRootfs}}"))
                .isEqualTo("[] 1000 true"); // "" is Docker's "no"
        assertThat(Docker.inspect(c, "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}"))
                .isEqualTo("volume " + prefix + "-data /data");
        assertThat(Docker.inspect(c, "{{json .Config.Healthcheck}}"))
                .contains("\"Test\":[\"CMD\",\"true\"]", "\"Interval\":10000000000", "\"Retries\":4");
        assertThat(Docker.inspect(c, "{{index .Config.Labels \"io.berth.managed\"}} {{index .Config.Labels \"io.berth.name\"}} "
                + "{{index .Config.Labels \"io.berth.kind\"}} {{index .Config.Labels \"io.berth.source\"}} "
                + "{{index .Config.Labels \"io.berth.agent\"}} {{index .Config.Labels \"tier\"}}"))
                .isEqualTo("true " + w.name() + " Container /test/manifests " + agent + " frontend");
        assertThat(Docker.inspect(c, "{{index .Config.Labels \"io.berth.spec-hash\"}}")).matches("[0-9a-f]{64}");

        // The kernel's own view from inside the container.
        assertThat(Docker.cgroup(c, "cpu/cpu.cfs_quota_us", "cpu.max")).startsWith("50000");
        assertThat(Docker.cgroup(c, "memory/memory.limit_in_bytes", "memory.max")).isEqualTo("67108864");
        assertThat(Docker.cgroup(c, "pids/pids.max", "pids.max")).isEqualTo("100");
        Docker.run("volume", "rm", "-f", prefix + "-data");
    }

    @Test
    void limitUpdateReachesTheCgroupWithoutANewContainer() {
        Workload w = Manifests.sleeper(prefix + "-upd", "0.5", "64Mi");
        runtime.create(w, ownership);
        runtime.start(w.name());
        String c = "berth-" + w.name();
        String id = Docker.inspect(c, "{{.Id}}");

        runtime.updateLimits(w.name(), new Resources(new Limits(250, 128L << 20), w.resources().requests(), 200));

        assertThat(Docker.inspect(c, "{{.Id}}")).isEqualTo(id);
        assertThat(Docker.inspect(c, "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}"))
                .isEqualTo("250000000 134217728 134217728 200");
        assertThat(Docker.cgroup(c, "cpu/cpu.cfs_quota_us", "cpu.max")).startsWith("25000");
        assertThat(Docker.cgroup(c, "memory/memory.limit_in_bytes", "memory.max")).isEqualTo("134217728");
    }

    @Test
    void aSameNamedContainerWithoutBerthLabelsIsNeverTouched() {
        String name = prefix + "-ghost";
        Docker.ok("run", "-d", "--name", "berth-" + name, "--label", "io.berth.agent=" + agent,
                "berth/busybox:1", "sleep", "300");
        Workload w = Manifests.sleeper(name, "0.25", "32Mi");

        assertThatThrownBy(() -> runtime.create(w, ownership))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining(name)
                .hasMessageContaining("Berth did not create it");
        assertThat(runtime.list()).isEmpty();
        assertThat(runtime.inspect(name)).isEmpty();
        runtime.stop(name, java.time.Duration.ZERO);
        runtime.remove(name, false);
        assertThat(Docker.inspect("berth-" + name, "{{.State.Status}}")).isEqualTo("running");
        assertThatThrownBy(() -> runtime.updateLimits(name, w.resources())).isInstanceOf(RuntimeFailure.class);
    }

    @Test
    void missingImageWithPullPolicyNeverNamesTheImageAndTheWorkload() {
        Workload w = Manifests.one("""
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s-never}
                spec:
                  resources: {limits: {cpu: 100m, memory: 16Mi}}
                  image: berth/does-not-exist:0
                  imagePullPolicy: Never
                """.formatted(prefix));
        assertThatThrownBy(() -> runtime.create(w, ownership))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining(w.name())
                .hasMessageContaining("berth/does-not-exist:0")
                .hasMessageContaining("Never");
        assertThat(runtime.list()).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledFailsClearly() {
        Workload w = Manifests.one("""
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s-pull}
                spec:
                  resources: {limits: {cpu: 100m, memory: 16Mi}}
                  image: registry.invalid/berth/nothing:0
                """.formatted(prefix));
        assertThatThrownBy(() -> runtime.create(w, ownership))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining(w.name())
                .hasMessageContaining("could not be pulled");
    }

    @Test
    void anUnreachableEngineIsReportedAsUnavailable() {
        try (DockerRuntime nowhere = new DockerRuntime(agent, "unix:///nonexistent/docker.sock", io.berth.manifest.Redaction.ephemeral())) {
            assertThatThrownBy(nowhere::list)
                    .isInstanceOf(RuntimeUnavailableException.class)
                    .hasMessageContaining("cannot reach the Docker Engine at unix:///nonexistent/docker.sock");
        }
    }
}
