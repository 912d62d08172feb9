package io.berth.stats;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.docker.DockerRuntime;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The sampler against the real Docker Engine and kernel: what it reports is checked against the
 * container's own cgroup files read from inside the container ({@code docker exec cat}) and against
 * Docker's own state, never against Berth's code.
 */
class StatsContainerAccuracyTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final long MIB = 1024 * 1024;

    final String agent = "statstest-" + UUID.randomUUID().toString().substring(0, 8);
    final String prefix = "st" + UUID.randomUUID().toString().substring(0, 6);
    final DockerRuntime runtime = new DockerRuntime(agent, io.berth.manifest.Redaction.ephemeral());
    final Ownership ownership = new Ownership(agent, "/test/manifests");
    Sampler sampler;

    @AfterEach
    void cleanUp() {
        if (sampler != null) {
            sampler.close();
        }
        runtime.close();
        Docker.removeAgentContainers(agent);
    }

    static Workload container(String name, String cpu, String memory, String restart, String script) {
        return Manifests.one("""
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources:
                    limits: {cpu: "%s", memory: %s, pids: 100}
                  image: berth/busybox:1
                  restartPolicy: %s
                  command: ["sh", "-c", %s]
                """.formatted(name, cpu, memory, restart, "'" + script.replace("'", "''") + "'"));
    }

    String run(Workload w) {
        runtime.create(w, ownership);
        runtime.start(w.name());
        return "berth-" + w.name();
    }

    SampleCollector sample() {
        sampler = new Sampler(List.of(runtime), Set::of, Duration.ofSeconds(1), Duration.ofSeconds(10));
        SampleCollector c = new SampleCollector(sampler);
        sampler.start();
        return c;
    }

    /** The container's working set from its own cgroup files, as docker stats computes it. */
    static long cgroupWorkingSet(String container) {
        if (Docker.cgroupV2()) {
            long current = Long.parseLong(Docker.cgroup(container, "", "memory.current"));
            return current - statValue(Docker.cgroup(container, "", "memory.stat"), "inactive_file");
        }
        long usage = Long.parseLong(Docker.cgroup(container, "memory/memory.usage_in_bytes", "-"));
        return usage - statValue(Docker.cgroup(container, "memory/memory.stat", "-"), "total_inactive_file");
    }

    static long cgroupUsage(String container) {
        return Long.parseLong(Docker.cgroupV2() ? Docker.cgroup(container, "", "memory.current")
                : Docker.cgroup(container, "memory/memory.usage_in_bytes", "-"));
    }

    static long statValue(String stat, String key) {
        for (String line : stat.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2 && f[0].equals(key)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new AssertionError("no " + key + " in " + stat);
    }

    static long throttledNanosInside(String container) {
        return Docker.cgroupV2() ? statValue(Docker.cgroup(container, "", "cpu.stat"), "throttled_usec") * 1000
                : statValue(Docker.cgroup(container, "cpu/cpu.stat", "-"), "throttled_time");
    }

    void awaitLog(String container, String line) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Docker.run("logs", container).out().contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(container + " never logged " + line);
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aCpuBurnerUnderHalfACoreIsReportedAtHalfACoreAndThrottled() throws Exception {
        Workload w = container(prefix + "-burn", "0.5", "32Mi", "Always", "while :; do :; done");
        String c = run(w);
        try (SampleCollector samples = sample()) {
            // Two other engineers share this host's 2 cores: the burner gets its half core only
            // when the host has it to give, so a window of 5 samples at the cap is looked for
            // (at most 60), and no sample may ever exceed the cap.
            List<WorkloadSample> s = samples.windowAtMedian(w.name(), 5, 60, 0.45, 0.55, WAIT.multipliedBy(2));
            System.out.printf("burner: usageCores %s, throttledSeconds %.3f%n",
                    s.stream().map(x -> x.cpu().usageCores()).toList(), s.getLast().cpu().throttledSeconds());
            assertThat(s).allSatisfy(x -> assertThat(x.cpu().usageCores()).as("capped").isLessThanOrEqualTo(0.56));
            WorkloadSample last = s.getLast();
            assertThat(last.kind()).isEqualTo(Kind.Container);
            assertThat(last.cpu().limitCores()).isEqualTo(0.5);
            assertThat(last.cpu().percentOfLimit()).isCloseTo(100 * last.cpu().usageCores() / 0.5, within(0.1));
            assertThat(last.cpu().throttledSeconds()).as("throttled time grows while it burns")
                    .isGreaterThan(s.getFirst().cpu().throttledSeconds()).isPositive();
            assertThat(throttledNanosInside(c)).as("the cgroup itself counts throttling").isPositive();
            assertThat(last.oomKilled()).isFalse();
            HostSample host = samples.nextSnapshot(WAIT).host();
            assertThat(host.cpu().allocatedCores()).as("only this agent's one container").isEqualTo(0.5);
            assertThat(host.memory().allocatedBytes()).isEqualTo(32 * MIB);
            assertThat(host.cpu().capacityCores()).isEqualTo(java.lang.Runtime.getRuntime().availableProcessors());
            assertThat(host.cpu().usageCores()).as("the host's usage includes the burner").isGreaterThan(0.4);
        }
    }

    @Test
    void aContainerHolding100MiBIsReportedWithin5PercentOfItsCgroupWorkingSet() throws Exception {
        // Held in a shell variable: anonymous memory, charged to the cgroup and never reclaimable
        // without swap. (A file would be page cache; /dev/shm is capped at 64 MiB by Docker.)
        Workload w = container(prefix + "-hold", "0.5", "256Mi", "Always",
                "x=$(head -c 104857600 /dev/zero | tr \"\\0\" a); echo held; while :; do sleep 1; done");
        String c = run(w);
        awaitLog(c, "held");
        try (SampleCollector samples = sample()) {
            WorkloadSample s = samples.next(w.name(), 2, WAIT).getLast();
            long oracle = cgroupWorkingSet(c);
            System.out.printf("holder: reported %d, cgroup working set %d (%.2f %%)%n", s.memory().usageBytes(), oracle,
                    100.0 * (s.memory().usageBytes() - oracle) / oracle);
            assertThat(oracle).as("the container really holds 100 MiB").isGreaterThanOrEqualTo(100 * MIB);
            assertThat((double) s.memory().usageBytes()).isCloseTo(oracle, within(oracle * 0.05));
            assertThat(s.memory().limitBytes()).isEqualTo(256 * MIB);
            assertThat(s.memory().percentOfLimit()).isCloseTo(100.0 * s.memory().usageBytes() / (256 * MIB), within(0.01));
        }
    }

    @Test
    void pageCacheIsNotCountedAsUsage() throws Exception {
        Workload w = container(prefix + "-cache", "0.5", "512Mi", "Always",
                "dd if=/dev/zero of=/tmp/f bs=1M count=100; sync; echo written; while :; do sleep 1; done");
        String c = run(w);
        awaitLog(c, "written");
        try (SampleCollector samples = sample()) {
            WorkloadSample s = samples.next(w.name(), 2, WAIT).getLast();
            System.out.printf("page cache: cgroup usage %d, reported %d%n", cgroupUsage(c), s.memory().usageBytes());
            // most of the file's pages (the kernel may already have reclaimed a few clean ones)
            assertThat(cgroupUsage(c)).as("the cgroup is charged for the 100 MiB file's pages").isGreaterThanOrEqualTo(90 * MIB);
            assertThat(s.memory().usageBytes()).as("but the working set leaves the page cache out").isLessThan(20 * MIB);
        }
    }

    @Test
    void aContainerExceedingItsMemoryLimitIsReportedOomKilled() throws Exception {
        Workload w = container(prefix + "-oom", "0.5", "16Mi", "Never",
                "x=$(head -c 67108864 /dev/zero | tr \"\\0\" a); echo survived; while :; do sleep 1; done");
        String c = run(w);
        try (SampleCollector samples = sample()) {
            WorkloadSample s = samples.until(w.name(), WorkloadSample::oomKilled, WAIT);
            assertThat(Docker.inspect(c, "{{.State.OOMKilled}} {{.State.Status}}")).isEqualTo("true exited");
            assertThat(s.memory().usageBytes()).as("an exited container holds nothing").isZero();
            assertThat(s.cpu().usageCores()).isZero();
        }
    }

    @Test
    void aProcessOomKilledInsideARunningContainerIsReportedFromTheCgroupCounter() throws Exception {
        // The subshell is killed, the container's main process lives on: Docker's State.OOMKilled
        // stays false, only the cgroup's oom_kill counter knows. The subshell volunteers as the
        // OOM killer's victim (oom_score_adj 1000, which needs no privilege): otherwise the kernel
        // sometimes killed the main process too (1 of 6 tries), and the container exited.
        Workload w = container(prefix + "-child", "0.5", "16Mi", "Never",
                "(echo 1000 > /proc/self/oom_score_adj; x=$(head -c 67108864 /dev/zero | tr \"\\0\" a)); echo after;"
                        + " while :; do sleep 1; done");
        String c = run(w);
        awaitLog(c, "after");
        try (SampleCollector samples = sample()) {
            WorkloadSample s = samples.next(w.name(), 2, WAIT).getLast();
            assertThat(Docker.inspect(c, "{{.State.OOMKilled}} {{.State.Status}}")).isEqualTo("false running");
            assertThat(s.oomKilled()).isTrue();
        }
    }
}
