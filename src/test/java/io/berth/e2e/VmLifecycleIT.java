package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Guest;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Virtual machines through the real {@code ./agent} and the real libvirtd, checked with virsh and
 * the guest's own serial console: limits in the domain XML, copy-on-write disks that keep the
 * base image untouched, live CPU quota changes, recreate keeping the disk.
 */
class VmLifecycleIT {

    static final Path IMAGES = Path.of("/var/lib/berth/images");
    static final Path BASE = IMAGES.resolve("base-64m.qcow2");
    static final Path VMS = Path.of("/var/lib/berth/vms");

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-vm-" + id);
    final String vm = "vm-" + id;

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        agent.run("delete", vm, "--grace-period", "1");
        agent.run("delete", vm + "-kvm", "--grace-period", "1");
        Virsh.removeAgentDomains(agent.name());
        // Deleted VMs' disks are kept (under the state directory): this test's own go.
        for (String name : java.util.List.of(vm, vm + "-kvm")) {
            Path kept = Path.of("/var/lib/berth/deleted").resolve(name);
            if (Files.exists(kept)) {
                try (var all = Files.walk(kept)) {
                    for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    private void writeVm(String name, String hypervisor, String cpu, String cmdline) throws IOException {
        Files.writeString(dir.resolve(name + ".yaml"), """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: %s, labels: {app: "e2e <&> test"}}
                spec:
                  hypervisor: %s
                  resources:
                    limits: {cpu: "%s", memory: 128Mi}
                  disk: {image: %s, size: 128Mi}
                  kernel:
                    path: %s
                    initrd: %s
                    cmdline: "%s"
                """.formatted(name, hypervisor, cpu, BASE, IMAGES.resolve("vmlinuz"),
                IMAGES.resolve("initrd-busybox.img"), cmdline));
    }

    @Test
    void applyBootsAHardLimitedCopyOnWriteVmAndChangesItInPlaceOrRecreatesKeepingTheDisk() throws Exception {
        String baseSum = sha256(BASE);
        writeVm(vm, "auto", "1.5", "console=ttyS0 panic=-1 berth.write=1");

        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains(vm + ": created");
        String domain = "berth-" + vm;
        String xml = Virsh.ok("dumpxml", domain);
        boolean kvmWorks = Files.readAllLines(Path.of("/var/lib/berth/hypervisor-probe")).get(1).equals("true");
        if (kvmWorks) {
            assertThat(xml).contains("<domain type='kvm'");
        } else {
            assertThat(xml).contains("<domain type='qemu'");
            assertThat(apply.out()).contains("note: hypervisor auto chose qemu (TCG");
        }
        assertThat(xml).contains("<vcpu placement='static'>2</vcpu>", "<global_period>100000</global_period>",
                "<global_quota>150000</global_quota>", "<memory unit='KiB'>131072</memory>",
                "<berth:managed>true</berth:managed>", "<berth:agent>" + agent.name() + "</berth:agent>",
                "<source file='" + VMS.resolve(vm).resolve("disk.qcow2") + "'", "<source file='" + BASE + "'/>");
        assertThat(Virsh.ok("schedinfo", domain)).containsPattern("global_quota\\s*:\\s*150000");
        long hardLimit = Long.parseLong(Virsh.ok("memtune", domain).lines()
                .filter(l -> l.startsWith("hard_limit")).findFirst().orElseThrow().replaceAll("\\D", ""));
        assertThat(hardLimit).as("memtune hard limit leaves headroom above guest memory").isGreaterThan(131072 + 100_000);

        Path console = VMS.resolve(vm).resolve("console.log");
        Guest.awaitConsole(console, "berth-guest: wrote disk vda");
        assertThat(Files.readString(console)).contains("berth-guest: booted", "disk vda size=134217728");
        Agent.Result logs = agent.run("logs", vm);
        assertThat(logs.exit()).as(logs.toString()).isZero();
        assertThat(logs.out()).contains("berth-guest: booted\n").doesNotContain("\r");
        assertThat(sha256(BASE)).as("the base image is never written").isEqualTo(baseSum);
        Path disk = VMS.resolve(vm).resolve("disk.qcow2");
        Object diskInode = Files.readAttributes(disk, BasicFileAttributes.class).fileKey();

        Agent.Result noop = agent.run("plan", "-f", dir.toString());
        assertThat(noop.exit()).as(noop.toString()).isZero();

        // CPU within the same vCPU count: in place, the domain keeps running (same id).
        String domId = Virsh.ok("domid", domain);
        writeVm(vm, "auto", "1.2", "console=ttyS0 panic=-1 berth.write=1");
        Agent.Result plan = agent.run("plan", "-f", dir.toString());
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out()).contains("spec.resources.limits.cpu: 1500m → 1200m  [in place");
        Agent.Result live = agent.run("apply", "-f", dir.toString());
        assertThat(live.out()).as(live.toString()).contains(vm + ": updated in place");
        assertThat(Virsh.ok("schedinfo", domain)).containsPattern("global_quota\\s*:\\s*120000");
        assertThat(Virsh.ok("domid", domain)).as("not restarted").isEqualTo(domId);

        // kernel.cmdline: recreate, disk kept (same file, the guest's writes still in it).
        writeVm(vm, "auto", "1.2", "console=ttyS0 panic=-1");
        Agent.Result recreatePlan = agent.run("plan", "-f", dir.toString());
        assertThat(recreatePlan.out()).contains("-/+ " + vm, "spec.kernel.cmdline", "its disk is kept");
        Agent.Result recreate = agent.run("apply", "-f", dir.toString(), "--grace-period", "2");
        assertThat(recreate.exit()).as(recreate.toString()).isZero();
        assertThat(recreate.out()).contains(vm + ": recreated");
        assertThat(Files.readAttributes(disk, BasicFileAttributes.class).fileKey()).isEqualTo(diskInode);
        assertThat(Guest.firstBytes(disk)).startsWith("berth-guest-was-here");
        assertThat(Virsh.ok("dumpxml", domain)).contains("<cmdline>console=ttyS0 panic=-1</cmdline>");
        assertThat(sha256(BASE)).isEqualTo(baseSum);

        Agent.Result delete = agent.run("delete", vm, "--grace-period", "1");
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(Virsh.run("dominfo", domain).exit()).isNotZero();
        // Was "delete removes the VM's own disk": now the disk is moved aside for the retention (VmDataIT has the rest).
        assertThat(disk).as("delete moves the VM's disk out of its place").doesNotExist();
        try (var kept = Files.list(Path.of("/var/lib/berth/deleted").resolve(vm))) {
            Path set = kept.findFirst().orElseThrow();
            assertThat(Files.readAttributes(set.resolve("disk.qcow2"), BasicFileAttributes.class).fileKey())
                    .as("the very disk, kept aside").isEqualTo(diskInode);
            assertThat(Guest.firstBytes(set.resolve("disk.qcow2"))).startsWith("berth-guest-was-here");
        }
    }

    @Test
    void forcedKvmDomainReachesRunning() throws IOException {
        writeVm(vm + "-kvm", "kvm", "1", "console=ttyS0");
        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(Virsh.ok("dumpxml", "berth-" + vm + "-kvm")).contains("<domain type='kvm'");
        assertThat(Virsh.ok("domstate", "berth-" + vm + "-kvm")).isEqualTo("running");
    }

    @Test
    void aDiskImageOutsideTheImageDirectoriesIsRejectedAtValidateTime() throws IOException {
        Files.writeString(dir.resolve("escape.yaml"), """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: escape}
                spec:
                  resources: {limits: {cpu: 1, memory: 128Mi}}
                  disk: {image: /var/lib/berth/images/../../../etc/shadow}
                """);
        Agent.Result r = agent.run("validate", "-f", dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("escape.yaml:6:17: spec.disk.image:", "outside the allowed image directories");
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(file));
        return HexFormat.of().formatHex(md.digest());
    }
}
