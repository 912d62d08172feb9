package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Guest;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Never lose a VM's data" (CONTRACT §6.1) through the real {@code ./agent --local} and libvirtd
 * 9 / QEMU 7.2 under TCG, checked with virsh, qemu-img and the guest's serial console: a disk
 * grown in place keeps the guest's writes and the domain; a shrink is refused at the field's
 * position; a recorded spec Berth cannot read leaves the VM and its disk untouched; delete keeps
 * the disk aside and {@code agent restore --deleted} brings it back; a new disk image keeps the
 * old disk aside.
 */
class VmDataIT {

    static final Path IMAGES = Path.of("/var/lib/berth/images");
    static final Path BASE = IMAGES.resolve("base-64m.qcow2");
    static final Path OTHER_BASE = IMAGES.resolve("base-100m.qcow2");
    static final Path STATE = Path.of("/var/lib/berth");
    static final String NS = "https://berth.io/xmlns/workload/v1";
    static final String MARKER = "berth-guest-was-here";

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-vmdata-" + id);
    final String vm = "data-" + id;
    final String domain = "berth-" + vm;

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws IOException {
        agent.run("delete", vm, "--grace-period", "1");
        Virsh.removeAgentDomains(agent.name());
        // The test's own leftovers: the kept disks of its VM, and a disk a failed step left in place.
        for (Path p : List.of(STATE.resolve("deleted").resolve(vm), STATE.resolve("vms").resolve(vm))) {
            if (Files.exists(p)) {
                try (Stream<Path> all = Files.walk(p)) {
                    for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    private Path writeVm(Path base, String size, String cmdline) throws IOException {
        Path f = dir.resolve("vm.yaml");
        Files.writeString(f, """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: %s}
                spec:
                  hypervisor: qemu
                  resources:
                    limits: {cpu: "1", memory: 128Mi}
                  disk: {image: %s, size: %s}
                  kernel: {path: %s, initrd: %s, cmdline: "%s"}
                """.formatted(vm, base, size, IMAGES.resolve("vmlinuz"), IMAGES.resolve("initrd-busybox.img"), cmdline));
        return f;
    }

    private Path disk() {
        return STATE.resolve("vms").resolve(vm).resolve("disk.qcow2");
    }

    @Test
    void aGrownDiskKeepsItsDataAShrinkAndAnUnreadableRecordChangeNothingAndDeleteKeepsTheDiskForRestore() throws Exception {
        writeVm(BASE, "128Mi", "console=ttyS0 panic=-1 berth.write=1");
        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        Path console = STATE.resolve("vms").resolve(vm).resolve("console.log");
        Guest.awaitConsole(console, "berth-guest: wrote disk vda");
        String domId = Virsh.ok("domid", domain);

        // Grow: in place, live, same domain, the guest's writes still there, and the record follows.
        writeVm(BASE, "256Mi", "console=ttyS0 panic=-1 berth.write=1");
        Agent.Result plan = agent.run("plan", "-f", dir.toString());
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("~ " + vm + " (VirtualMachine): update in place — its disk grows",
                "spec.disk.size: 128Mi → 256Mi  [in place: a disk grows in place");
        Agent.Result grow = agent.run("apply", "-f", dir.toString());
        assertThat(grow.exit()).as(grow.toString()).isZero();
        assertThat(grow.out()).contains(vm + ": updated in place", "grew its disk from 128Mi to 256Mi live");
        assertThat(Virsh.ok("domid", domain)).as("same domain, never restarted").isEqualTo(domId);
        assertThat(Virsh.ok("domblkinfo", domain, "vda")).containsPattern("Capacity:\\s+268435456");
        assertThat(qemuImgInfo(disk())).contains("\"virtual-size\": 268435456");
        assertThat(Guest.firstBytes(disk())).startsWith(MARKER);
        Agent.Result again = agent.run("plan", "-f", dir.toString());
        assertThat(again.exit()).as("the new size is recorded: " + again).isZero();

        // Shrink: refused at plan time with the field's position; nothing is applied.
        writeVm(BASE, "128Mi", "console=ttyS0 panic=-1 berth.write=1");
        String refused = dir.resolve("vm.yaml") + ":8:61: spec.disk.size: cannot shrink a disk from 256Mi to 128Mi"
                + " (Berth never discards disk data;";
        Agent.Result shrinkPlan = agent.run("plan", "-f", dir.toString());
        assertThat(shrinkPlan.exit()).as(shrinkPlan.toString()).isEqualTo(1);
        assertThat(shrinkPlan.err()).contains(refused, "1 error in the manifests; nothing was changed")
                .doesNotContain("Exception");
        Agent.Result shrink = agent.run("apply", "-f", dir.toString());
        assertThat(shrink.exit()).as(shrink.toString()).isEqualTo(1);
        assertThat(shrink.err()).contains(refused);
        assertThat(Virsh.ok("domblkinfo", domain, "vda")).containsPattern("Capacity:\\s+268435456");
        assertThat(Virsh.ok("domid", domain)).isEqualTo(domId);

        // A recorded spec Berth cannot read: left alone — not recreated, not changed, not pruned.
        String metadata = Virsh.ok("metadata", domain, NS);
        String corrupted = metadata.replaceAll("(?s)(<[a-z:]*spec>).*?(</[a-z:]*spec>)", "$1{\"apiVersion\": \"berth.io/v9\"}$2");
        assertThat(corrupted).isNotEqualTo(metadata);
        Virsh.ok("metadata", domain, NS, "--key", "berth", "--set", corrupted, "--live", "--config");
        String before = sha256(disk());
        writeVm(BASE, "256Mi", "console=ttyS0 panic=-1");
        Agent.Result unreadablePlan = agent.run("plan", "-f", dir.toString());
        assertThat(unreadablePlan.out()).as(unreadablePlan.toString())
                .contains("! " + vm + " (VirtualMachine): left alone — recorded spec of " + domain + " cannot be read: ")
                .contains("; left alone (Berth never deletes or recreates a VM it cannot read");
        Agent.Result unreadableApply = agent.run("apply", "-f", dir.toString());
        assertThat(unreadableApply.exit()).as(unreadableApply.toString()).isEqualTo(1);
        assertThat(unreadableApply.out()).contains(vm + ": failed: recorded spec of " + domain + " cannot be read");
        Files.move(dir.resolve("vm.yaml"), dir.resolve("vm.yaml.off"));
        Agent.Result prune = agent.run("apply", "--prune", "-f", dir.toString());
        assertThat(prune.out()).as(prune.toString()).contains(vm + ": failed: recorded spec of " + domain);
        assertThat(Virsh.ok("domid", domain)).as("still the same running domain").isEqualTo(domId);
        assertThat(sha256(disk())).as("the disk is untouched").isEqualTo(before);
        Files.move(dir.resolve("vm.yaml.off"), dir.resolve("vm.yaml"));
        Virsh.ok("metadata", domain, NS, "--key", "berth", "--set", metadata, "--live", "--config");

        // Delete: the disk (with the guest's writes) is kept aside, not deleted.
        Agent.Result delete = agent.run("delete", vm, "--grace-period", "1");
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(Virsh.run("dominfo", domain).exit()).isNotZero();
        assertThat(disk()).doesNotExist();
        List<Path> kept = keptSets();
        assertThat(kept).hasSize(1);
        Path keptDisk = kept.getFirst().resolve("disk.qcow2");
        assertThat(Guest.firstBytes(keptDisk)).startsWith(MARKER);
        assertThat(kept.getFirst().resolve("console.log")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.getFirst()))).isEqualTo("rwx--x--x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keptDisk))).isEqualTo("rw-------");

        // A new VM of the same name is not given the kept disk silently, and restore refuses while it exists.
        writeVm(BASE, "256Mi", "console=ttyS0 panic=-1");
        Agent.Result fresh = agent.run("apply", "-f", dir.toString());
        assertThat(fresh.exit()).as(fresh.toString()).isZero();
        assertThat(fresh.out()).contains("started from a new clone; a disk of an earlier " + vm + " is kept");
        assertThat(Guest.firstBytes(disk())).doesNotStartWith(MARKER);
        Agent.Result busy = agent.run("restore", vm, "--deleted", "--local");
        assertThat(busy.exit()).as(busy.toString()).isEqualTo(1);
        assertThat(busy.err()).contains("exists with its own disk; a restore never replaces a disk");
        assertThat(agent.run("delete", vm, "--grace-period", "1").exit()).isZero();
        assertThat(keptSets()).hasSize(2);

        // Restore the first kept disk (by its stamp), apply again: it boots with its data.
        String stamp = kept.getFirst().getFileName().toString();
        Agent.Result restore = agent.run("restore", vm, "--deleted", "--kept", stamp, "--local");
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains(vm + ": restored the disk kept at", "still kept: ");
        assertThat(Guest.firstBytes(disk())).startsWith(MARKER);
        Agent.Result back = agent.run("apply", "-f", dir.toString());
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(back.out()).contains(vm + ": created", "kept its existing disk " + disk());
        Guest.awaitConsole(console, "berth-guest: ready");
        assertThat(Files.readString(console)).contains("disk vda size=268435456");
        assertThat(Guest.firstBytes(disk())).as("the guest's data, written before the delete").startsWith(MARKER);
    }

    @Test
    void aNewDiskImageReplacesTheDiskAndKeepsTheOldOneAside() throws Exception {
        writeVm(BASE, "128Mi", "console=ttyS0 panic=-1");
        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        Object oldDisk = Files.readAttributes(disk(), BasicFileAttributes.class).fileKey();

        writeVm(OTHER_BASE, "128Mi", "console=ttyS0 panic=-1");
        Agent.Result plan = agent.run("plan", "-f", dir.toString());
        assertThat(plan.out()).as(plan.toString()).contains("-/+ " + vm, "spec.disk.image",
                "its disk is replaced by a new clone of " + OTHER_BASE, "the old disk is kept aside under STATE/deleted/" + vm);
        Agent.Result replace = agent.run("apply", "-f", dir.toString(), "--grace-period", "1");
        assertThat(replace.exit()).as(replace.toString()).isZero();
        assertThat(qemuImgInfo(disk())).contains("\"backing-filename\": \"" + OTHER_BASE + "\"");
        List<Path> kept = keptSets();
        assertThat(kept).hasSize(1);
        Path keptDisk = kept.getFirst().resolve("disk.qcow2");
        assertThat(Files.readAttributes(keptDisk, BasicFileAttributes.class).fileKey())
                .as("the very file, moved aside, never copied or deleted").isEqualTo(oldDisk);
        assertThat(qemuImgInfo(keptDisk)).contains("\"backing-filename\": \"" + BASE + "\"");
    }

    private List<Path> keptSets() throws IOException {
        Path d = STATE.resolve("deleted").resolve(vm);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    private static String qemuImgInfo(Path image) {
        Processes.Result r = Processes.run(List.of("qemu-img", "info", "-U", "--output=json", image.toString()), Map.of(),
                null, Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(file));
        return HexFormat.of().formatHex(md.digest());
    }
}
