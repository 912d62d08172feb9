package io.berth.runtime.docker;

import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;
import io.berth.runtime.Capabilities;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeContractTest;
import io.berth.runtime.WorkloadState;
import io.berth.testing.Manifests;
import io.berth.testing.Podman;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared runtime contract, and what Podman answers differently, against Podman 4.3's
 * Docker-compatible API (the socket of {@code podman system service} that deploy/host-setup.sh
 * starts), through the same DockerRuntime as Docker, checked with the podman CLI.
 */
class PodmanRuntimeIT extends RuntimeContractTest {

    @Override
    protected Runtime newRuntime(String agent) {
        return new DockerRuntime(agent, Podman.HOST, Redaction.ephemeral());
    }

    @Override
    protected Workload workload(String name, String cpu, String memory) {
        return Manifests.sleeper(name, cpu, memory);
    }

    @Override
    protected void cleanUp(String agent) {
        Podman.removeAgentContainers(agent);
    }

    /**
     * Podman 4.3 changes the cgroup live (its libpod update) but its inspect keeps the limits of
     * creation (containers/podman#17187): the kernel is checked, and the stale read-back is
     * asserted so that a Podman that fixes it makes this test say so.
     */
    @Override
    protected void assertUpdatedLimits(Observed after, long cpuMillis, long memoryBytes) {
        String c = "berth-" + after.name();
        assertThat(Podman.ok("exec", c, "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")).isEqualTo(Long.toString(cpuMillis * 100));
        assertThat(Podman.ok("exec", c, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")).isEqualTo(Long.toString(memoryBytes));
        assertThat(after.limits().memoryBytes()).as("Podman 4.3's inspect: the limits of creation").isEqualTo(64L << 20);
    }

    @Test
    void podmanIsRecognisedAndSpokenToAtItsApiVersion() {
        Capabilities c = runtime.capabilities();
        assertThat(c.api()).isEqualTo("1.41");
        assertThat(c.details()).anyMatch(d -> d.startsWith("Podman 4."));
    }

    @Test
    void limitsLabelsAndHealthAsPodmanKeepsThem() throws Exception {
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
                  healthCheck: {command: ["true"], interval: 1s, timeout: 1s, retries: 3}
                """.formatted(prefix));
        Set<String> changed = ConcurrentHashMap.newKeySet();
        try (AutoCloseable watch = ((DockerRuntime) runtime).watch(changed::add, () -> { })) {
            runtime.create(w, ownership());
            runtime.start(w.name());
            String c = "berth-" + w.name();

            assertThat(Podman.inspect(c, "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}"))
                    .isEqualTo("500000000 67108864 67108864 100");
            assertThat(Podman.inspect(c, "{{index .Config.Labels \"io.berth.managed\"}} {{index .Config.Labels \"io.berth.name\"}} "
                    + "{{index .Config.Labels \"io.berth.agent\"}} {{index .Config.Labels \"tier\"}}"))
                    .isEqualTo("true " + w.name() + " " + agent + " frontend");
            // The kernel's view: Podman's cgroupfs place, libpod_parent/libpod-ID (cgroup v1 here)
            String id = Podman.inspect(c, "{{.Id}}");
            assertThat(Podman.ok("exec", c, "cat", "/proc/self/cgroup")).contains("libpod-" + id);

            Observed running = runtime.inspect(w.name()).orElseThrow();
            assertThat(running.limits().pids()).isEqualTo(100);
            // Podman runs health checks from systemd timers; without systemd they only run when asked
            if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of("/run/systemd/system"))) {
                Thread.sleep(3000); // three intervals
                assertThat(runtime.inspect(w.name()).orElseThrow().health()).isEqualTo("starting");
                assertThat(runtime.capabilities().warnings()).anyMatch(x -> x.contains("health checks"));
            }
            Podman.ok("healthcheck", "run", c);
            assertThat(runtime.inspect(w.name()).orElseThrow().health()).isEqualTo("healthy");
            assertThat(changed).as("the label-filtered event stream names it").contains(w.name());

            Workload plain = Manifests.sleeper(prefix + "-plain", "0.25", "32Mi");
            runtime.create(plain, ownership());
            Observed created = runtime.inspect(plain.name()).orElseThrow();
            assertThat(created.state()).isEqualTo(WorkloadState.Created);
            assertThat(created.health()).as("Podman's empty Health.Status is no health check").isNull();
        }
    }

    @Test
    void aLimitChangeRecreatesTheContainerSoTheNewLimitsLast() {
        Workload w = workload(prefix + "-grow", "0.5", "64Mi");
        runtime.create(w, ownership());
        runtime.start(w.name());
        String before = runtime.inspect(w.name()).orElseThrow().runtimeId();
        Workload bigger = workload(w.name(), "1", "48Mi");

        assertThat(runtime.update(bigger)).singleElement().asString().contains("recreated", "podman#17187");

        Observed after = runtime.inspect(w.name()).orElseThrow();
        assertThat(after.runtimeId()).isNotEqualTo(before);
        assertThat(after.state()).isEqualTo(WorkloadState.Running);
        assertThat(after.limits().cpuMillis()).isEqualTo(1000);
        assertThat(after.limits().memoryBytes()).isEqualTo(48L << 20);
        assertThat(after.source()).isEqualTo("/test/source");
        assertThat(after.applied().sameSpec(bigger)).isTrue();
        String c = "berth-" + w.name();
        assertThat(Podman.ok("exec", c, "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")).isEqualTo("100000");
        Podman.ok("restart", "-t", "0", c);
        assertThat(Podman.ok("exec", c, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")).as("after a restart too")
                .isEqualTo(Long.toString(48L << 20));
    }

    @Test
    void aSameNamedContainerWithoutBerthLabelsIsNeverTouched() {
        String name = prefix + "-ghost";
        Podman.ok("run", "-d", "--name", "berth-" + name, "--label", "io.berth.agent=" + agent,
                "berth/busybox:1", "sleep", "300");
        Workload w = Manifests.sleeper(name, "0.25", "32Mi");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runtime.create(w, new Ownership(agent, "/test/source")))
                .hasMessageContaining("Berth did not create it");
        runtime.remove(name, false);
        assertThat(Podman.inspect("berth-" + name, "{{.State.Status}}")).isEqualTo("running");
    }
}
