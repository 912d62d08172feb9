package io.berth.stats;

import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.docker.DockerRuntime;
import io.berth.testing.Podman;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The sampler finds a Podman container's cgroup (libpod_parent/libpod-ID under cgroupfs, cgroup
 * v1 here): its working set is checked against the container's own cgroup files read with
 * {@code podman exec}.
 */
class StatsPodmanIT {

    static final long MIB = 1024 * 1024;

    final String agent = "statspodman-" + UUID.randomUUID().toString().substring(0, 8);
    final String name = "sp" + UUID.randomUUID().toString().substring(0, 6) + "-hold";
    final DockerRuntime runtime = new DockerRuntime(agent, Podman.HOST, Redaction.ephemeral());
    Sampler sampler;

    @AfterEach
    void cleanUp() {
        if (sampler != null) {
            sampler.close();
        }
        runtime.close();
        Podman.removeAgentContainers(agent);
    }

    @Test
    void aPodmanContainerHolding100MiBIsReportedWithin5PercentOfItsCgroupWorkingSet() throws Exception {
        Workload w = StatsContainerAccuracyTest.container(name, "0.5", "256Mi", "Always",
                "x=$(head -c 104857600 /dev/zero | tr \"\\0\" a); echo held; while :; do sleep 1; done");
        runtime.create(w, new Ownership(agent, "/test/manifests"));
        runtime.start(w.name());
        String c = "berth-" + w.name();
        long deadline = System.nanoTime() + StatsContainerAccuracyTest.WAIT.toNanos();
        while (!Podman.run("logs", c).out().contains("held") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        sampler = new Sampler(List.of(runtime), Set::of, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10));
        try (SampleCollector samples = new SampleCollector(sampler)) {
            sampler.start();
            WorkloadSample s = samples.next(w.name(), 2, StatsContainerAccuracyTest.WAIT).getLast();
            String cgroup = Podman.ok("exec", c, "cat", "/sys/fs/cgroup/memory/memory.usage_in_bytes");
            long oracle = Long.parseLong(cgroup) - StatsContainerAccuracyTest.statValue(
                    Podman.ok("exec", c, "cat", "/sys/fs/cgroup/memory/memory.stat"), "total_inactive_file");
            assertThat(oracle).as("the container really holds 100 MiB").isGreaterThanOrEqualTo(100 * MIB);
            assertThat((double) s.memory().usageBytes()).isCloseTo(oracle, within(oracle * 0.05));
            assertThat(s.memory().limitBytes()).isEqualTo(256 * MIB);
        }
    }
}
