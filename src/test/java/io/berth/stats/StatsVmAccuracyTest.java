package io.berth.stats;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.libvirt.LibvirtRuntime;
import io.berth.testing.Manifests;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The sampler against a real libvirt domain (a TCG guest whose init burns every vCPU): the domain
 * is capped by its global CPU quota and reported at that cap, its throttling is counted, and its
 * memory is what {@code ps} says the QEMU process holds, against the hard limit {@code virsh
 * memtune} says libvirt put on that process.
 */
class StatsVmAccuracyTest {

    static final Path STATE = Virsh.stateDir("stats");
    static final Duration BOOT = Duration.ofSeconds(120);

    final String agent = "statsvm-" + UUID.randomUUID().toString().substring(0, 8);
    final String name = "sv" + UUID.randomUUID().toString().substring(0, 6);
    final LibvirtRuntime runtime = new LibvirtRuntime(agent, Virsh.URI, STATE, io.berth.manifest.Redaction.ephemeral());
    Sampler sampler;

    @AfterEach
    void cleanUp() {
        if (sampler != null) {
            sampler.close();
        }
        Virsh.removeAgentDomains(agent);
        runtime.close();
    }

    @Test
    void aVmWithAFractionalCpuLimitRunningABurnerIsCappedAndReportedSo() throws Exception {
        Workload w = Manifests.tinyVm(name, "0.5", "128Mi", "berth.burn=1");
        runtime.create(w, new Ownership(agent, "/test/manifests"));
        runtime.start(name);
        Path console = STATE.resolve("vms").resolve(name).resolve("console.log");
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (!(Files.exists(console) && Files.readString(console).contains("berth-guest: burning"))) {
            assertThat(System.nanoTime()).as("guest started burning within %s", BOOT).isLessThan(deadline);
            Thread.sleep(500);
        }

        sampler = new Sampler(List.of(runtime), Set::of, Duration.ofSeconds(1), Duration.ofSeconds(10));
        try (SampleCollector samples = new SampleCollector(sampler)) {
            sampler.start();
            // The host's 2 cores are shared: look for 5 samples at the cap (at most 60), none above it.
            List<WorkloadSample> s = samples.windowAtMedian(name, 5, 60, 0.45, 0.55, Duration.ofSeconds(120));
            List<Double> cores = s.stream().map(x -> x.cpu().usageCores()).toList();
            System.out.printf("vm burner: usageCores %s, throttledSeconds %.3f, memory %d%n", cores,
                    s.getLast().cpu().throttledSeconds(), s.getLast().memory().usageBytes());
            assertThat(cores).as("capped").allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(0.56));
            WorkloadSample last = s.getLast();
            assertThat(last.kind()).isEqualTo(Kind.VirtualMachine);
            assertThat(last.cpu().limitCores()).isEqualTo(0.5);
            assertThat(last.cpu().throttledSeconds()).as("the quota throttles it")
                    .isGreaterThan(s.getFirst().cpu().throttledSeconds()).isPositive();
            long hardLimit = 0;
            for (String line : Virsh.ok("memtune", "berth-" + name).split("\n")) {
                if (line.strip().startsWith("hard_limit")) {
                    hardLimit = Long.parseLong(line.split(":")[1].strip()) * 1024;
                }
            }
            assertThat(hardLimit).as("guest memory plus QEMU's headroom").isGreaterThan(128L << 20);
            assertThat(last.memory().limitBytes()).as("QEMU's memory against the hard limit on QEMU").isEqualTo(hardLimit);
            assertThat(last.memory().percentOfLimit()).isLessThan(100.0);

            long pid = Long.parseLong(Files.readString(Path.of("/run/libvirt/qemu/berth-" + name + ".pid")).strip());
            long rss = Long.parseLong(Processes.run(List.of("ps", "-o", "rss=", "-p", Long.toString(pid)),
                    java.util.Map.of(), null, Duration.ofSeconds(10)).out().strip()) * 1024;
            WorkloadSample now = samples.next(name, 1, Duration.ofSeconds(10)).getFirst();
            assertThat((double) now.memory().usageBytes()).as("QEMU's resident memory, as ps reports it")
                    .isCloseTo(rss, within(rss * 0.05));
        }
    }
}
