package io.berth.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finding and reading cgroups from fixture trees laid out as each cgroup version and Docker
 * driver lays them out; the files' contents are copied from real hosts.
 */
class CgroupLocatorTest {

    static final String ID = "3a2a99a47a4adcfbd0074d9daebccf593b2efc307f7f86a3ebed6d4fbf56bee4";

    @TempDir
    Path root;

    final FileReads files = new FileReads(16 * 1024);

    Path fs(String rel) {
        return root.resolve("sys/fs/cgroup").resolve(rel);
    }

    void installV1(String cpu, String cpuacct, String memory, String cgroup) {
        CgroupFixtures.install(fs(cpu + cgroup), "v1", "cpu.stat");
        CgroupFixtures.install(fs(cpuacct + cgroup), "v1", "cpuacct.usage");
        CgroupFixtures.install(fs(memory + cgroup), "v1", "memory.usage_in_bytes", "memory.stat", "memory.oom_control");
    }

    @Test
    void v1CgroupfsDriverWithSeparateCpuAndCpuacctMounts() {
        installV1("cpu", "cpuacct", "memory", "/docker/" + ID);
        CgroupLocator locator = CgroupFixtures.locator("v1/mountinfo", root, root.resolve("proc"));
        assertThat(locator.v1()).isTrue();

        Cgroup cg = locator.container(ID).orElseThrow();
        assertThat(cg).isEqualTo(Cgroup.V1.of(fs("cpu/docker/" + ID).toString(), fs("cpuacct/docker/" + ID).toString(),
                fs("memory/docker/" + ID).toString()));
        CgroupReading r = cg.read(files);
        assertThat(r.cpuNanos()).isEqualTo(1081226076L);
        assertThat(r.throttledNanos()).isEqualTo(988606437L);
        assertThat(r.memoryBytes()).isEqualTo(113819648L);
        assertThat(r.inactiveFile()).as("hierarchical total_, as docker stats uses").isEqualTo(10485760L);
        assertThat(r.workingSetBytes()).isEqualTo(113819648L - 10485760L);
        assertThat(r.oomKills()).isEqualTo(2);
    }

    @Test
    void v1SystemdDriverWithCoMountedCpuAndCpuacct() {
        String scope = "/system.slice/docker-" + ID + ".scope";
        installV1("cpu,cpuacct", "cpu,cpuacct", "memory", scope);
        CgroupLocator locator = CgroupFixtures.locator("v1/mountinfo-comounted", root, root.resolve("proc"));

        Cgroup cg = locator.container(ID).orElseThrow();
        assertThat(((Cgroup.V1) cg).cpuacctUsage()).isEqualTo(fs("cpu,cpuacct" + scope + "/cpuacct.usage").toString());
        assertThat(cg.read(files).cpuNanos()).isEqualTo(1081226076L);
    }

    @Test
    void v2SystemdDriver() {
        String scope = "system.slice/docker-" + ID + ".scope";
        CgroupFixtures.install(fs(scope), "v2", "cpu.stat", "memory.current", "memory.stat", "memory.events");
        CgroupLocator locator = CgroupFixtures.locator("v2/mountinfo", root, root.resolve("proc"));
        assertThat(locator.v1()).isFalse();

        CgroupReading r = locator.container(ID).orElseThrow().read(files);
        assertThat(r.cpuNanos()).as("usage_usec in ns").isEqualTo(5_123_456_000L);
        assertThat(r.throttledNanos()).isEqualTo(4_200_000_000L);
        assertThat(r.memoryBytes()).isEqualTo(120586240L);
        assertThat(r.inactiveFile()).isEqualTo(12582912L);
        assertThat(r.workingSetBytes()).isEqualTo(120586240L - 12582912L);
        assertThat(r.oomKills()).isEqualTo(1);
    }

    @Test
    void v2CgroupfsDriverAndACustomCgroupParentAreFound() {
        CgroupFixtures.install(fs("docker/" + ID), "v2", "cpu.stat", "memory.current", "memory.stat", "memory.events");
        CgroupLocator locator = CgroupFixtures.locator("v2/mountinfo", root, root.resolve("proc"));
        assertThat(locator.container(ID)).contains(Cgroup.V2.of(fs("docker/" + ID).toString()));

        String other = "b".repeat(64);
        CgroupFixtures.install(fs("custom.slice/ci/docker-" + other + ".scope"), "v2", "cpu.stat", "memory.current");
        assertThat(locator.container(other)).contains(Cgroup.V2.of(fs("custom.slice/ci/docker-" + other + ".scope").toString()));
        assertThat(locator.container("c".repeat(64))).isEmpty();
    }

    @Test
    void podmansCgroupfsAndSystemdPlacesAreFound() {
        // Podman 4.3 rootful under cgroupfs (Debian 12 without systemd): /sys/fs/cgroup/<ctrl>/libpod_parent/libpod-ID
        installV1("cpu", "cpuacct", "memory", "/libpod_parent/libpod-" + ID);
        CgroupLocator v1 = CgroupFixtures.locator("v1/mountinfo", root, root.resolve("proc"));
        assertThat(v1.container(ID)).contains(Cgroup.V1.of(fs("cpu/libpod_parent/libpod-" + ID).toString(),
                fs("cpuacct/libpod_parent/libpod-" + ID).toString(), fs("memory/libpod_parent/libpod-" + ID).toString()));
        assertThat(v1.container(ID).orElseThrow().read(files).memoryBytes()).isEqualTo(113819648L);

        // and under systemd: machine.slice/libpod-ID.scope
        String other = "d".repeat(64);
        CgroupFixtures.install(fs("machine.slice/libpod-" + other + ".scope"), "v2", "cpu.stat", "memory.current");
        CgroupLocator v2 = CgroupFixtures.locator("v2/mountinfo", root, root.resolve("proc"));
        assertThat(v2.container(other)).contains(Cgroup.V2.of(fs("machine.slice/libpod-" + other + ".scope").toString()));
    }

    @Test
    void aRemovedCgroupReadsAsGone() {
        CgroupLocator locator = CgroupFixtures.locator("v2/mountinfo", root, root.resolve("proc"));
        assertThat(Cgroup.V2.of(fs("docker/gone").toString()).read(files)).isNull();
        assertThat(locator.at("/docker/gone").read(files)).isNull();
    }

    @Test
    void aQemuProcessIsCountedAtItsDomainCgroupNotItsEmulatorThreadGroup() throws Exception {
        Path proc = root.resolve("proc");
        Files.createDirectories(proc.resolve("4242"));
        Files.writeString(proc.resolve("4242/cgroup"), CgroupFixtures.text("proc/libvirt-v1-cgroupfs"));
        CgroupLocator v1 = CgroupFixtures.locator("v1/mountinfo-comounted", root, proc);
        String domain = "/machine/qemu-3-berth-db.libvirt-qemu";
        assertThat(v1.process(4242)).contains(Cgroup.V1.of(fs("cpu,cpuacct" + domain).toString(),
                fs("cpu,cpuacct" + domain).toString(), fs("memory" + domain).toString()));

        Files.writeString(proc.resolve("4242/cgroup"), CgroupFixtures.text("proc/libvirt-v2-systemd"));
        CgroupLocator v2 = CgroupFixtures.locator("v2/mountinfo", root, proc);
        assertThat(v2.process(4242)).contains(Cgroup.V2.of(
                fs("machine.slice/machine-qemu\\x2d3\\x2dberth\\x2ddb.scope/libvirt").toString()));
        assertThat(v2.process(999999)).isEmpty();
    }

    @Test
    void procCgroupSplitsCoMountedControllersAndKeepsTheUnifiedLine() {
        Map<String, String> m = CgroupLocator.parseProcCgroup(CgroupFixtures.text("proc/libvirt-v1-cgroupfs"));
        assertThat(m).containsEntry("cpu", "/machine/qemu-3-berth-db.libvirt-qemu/emulator")
                .containsEntry("cpuacct", "/machine/qemu-3-berth-db.libvirt-qemu/emulator")
                .containsEntry("memory", "/machine/qemu-3-berth-db.libvirt-qemu")
                .containsEntry("name=systemd", "/")
                .containsEntry("", "/");
        assertThat(CgroupLocator.domainLevel("/a/vcpu12")).isEqualTo("/a");
        assertThat(CgroupLocator.domainLevel("/a/iothread1")).isEqualTo("/a");
        assertThat(CgroupLocator.domainLevel("/a/vcpus")).isEqualTo("/a/vcpus");
    }

    @Test
    void aMountWhoseRootIsNotSlashStripsItsRoot() {
        CgroupLocator.Mount m = new CgroupLocator.Mount("/docker/abc", "/sys/fs/cgroup/memory");
        assertThat(m.dir("/docker/abc")).isEqualTo("/sys/fs/cgroup/memory");
        assertThat(m.dir("/docker/abc/child")).isEqualTo("/sys/fs/cgroup/memory/child");
        assertThat(new CgroupLocator.Mount("/", "/sys/fs/cgroup").dir("/docker/x")).isEqualTo("/sys/fs/cgroup/docker/x");
    }

    @Test
    void memoryLimitsReadAsBytesAndNoLimitAsZero() throws Exception {
        Path d = Files.createDirectories(root.resolve("m"));
        Cgroup.V1 v1 = Cgroup.V1.of(d.toString(), d.toString(), d.toString());
        Files.writeString(d.resolve("memory.limit_in_bytes"), "375809024\n");
        assertThat(v1.memoryLimit(files)).isEqualTo(375809024L);
        Files.writeString(d.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(v1.memoryLimit(files)).as("v1 unlimited").isZero();
        Cgroup.V2 v2 = Cgroup.V2.of(d.toString());
        Files.writeString(d.resolve("memory.max"), "max\n");
        assertThat(v2.memoryLimit(files)).as("v2 unlimited").isZero();
        Files.writeString(d.resolve("memory.max"), "268435456\n");
        assertThat(v2.memoryLimit(files)).isEqualTo(268435456L);
        assertThat(Cgroup.V2.of(root.resolve("gone").toString()).memoryLimit(files)).isZero();
    }
}
