package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Agent;
import io.berth.testing.Guest;
import io.berth.testing.Manifests;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VM snapshots (CONTRACT §6.2) through the real {@code ./agent snapshot ... --local} against
 * libvirtd 9 / QEMU 7.2 under TCG: a live snapshot of a running guest keeps what it wrote (the
 * {@code berth.write=1} marker) without restarting it; a stopped one too; writes after a snapshot
 * (made with qemu-io while the domain is off, at 2 MiB, where the guest's init never writes) are
 * gone after a restore and the disk in use before is kept as an automatic snapshot; delete removes
 * a layer nothing needs and keeps one a chain needs; the base image never changes; a plan of the
 * manifest is 0 changes afterwards; file modes 0600/0400/0711.
 */
class VmSnapshotIT {

    static final Path IMAGES = Path.of("/var/lib/berth/images");
    static final Path BASE = IMAGES.resolve("base-64m.qcow2");
    static final Path STATE = Path.of("/var/lib/berth");
    static final String MARKER = "berth-guest-was-here";

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-vmsnap-" + id);
    final String vm = "snap-" + id;
    final String domain = "berth-" + vm;
    final Path vmDir = STATE.resolve("vms").resolve(vm);
    final String clone = "clone-" + id;

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws IOException {
        agent.run("delete", vm, clone, "--grace-period", "1");
        Virsh.removeAgentDomains(agent.name());
        for (Path p : List.of(STATE.resolve("deleted").resolve(vm), vmDir, STATE.resolve("deleted").resolve(clone),
                STATE.resolve("vms").resolve(clone))) {
            if (Files.exists(p)) {
                try (Stream<Path> all = Files.walk(p)) {
                    for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    @Test
    void snapshotsOfARunningAndAStoppedVmRestoreItsDataKeepTheDiskItHadAndNeverTouchTheBase() throws Exception {
        String baseSha = Guest.sha256(BASE);
        applyMarkedVm();
        String domId = Virsh.ok("domid", domain);

        // Live: the guest keeps running (same domain id), its disk moves to a new layer, the old one is frozen.
        long t0 = System.nanoTime();
        Agent.Result live = agent.run("snapshot", "create", vm, "marked", "--local");
        System.out.printf("snapshot of a running VM: %d ms (./agent process included)%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(live.exit()).as(live.toString()).isZero();
        assertThat(live.out()).contains(vm + ": snapshot marked created", "crash-consistent (the guest has no qemu-guest-agent");
        assertThat(Virsh.ok("domid", domain)).as("never restarted").isEqualTo(domId);
        Path active1 = active();
        assertThat(active1.getParent()).isEqualTo(vmDir.resolve("layers"));
        assertThat(Guest.firstBytes(vmDir.resolve("disk.qcow2"))).as("the guest's write is in the snapshot").startsWith(MARKER);
        assertThat(mode(vmDir.resolve("disk.qcow2"))).as("frozen").isEqualTo("r--------");
        assertThat(mode(active1)).isEqualTo("rw-------");
        assertThat(mode(vmDir.resolve("layers"))).isEqualTo("rwx--x--x");
        assertThat(mode(vmDir.resolve("snapshots.json"))).isEqualTo("rw-------");

        Agent.Result dup = agent.run("snapshot", "create", vm, "marked", "--local");
        assertThat(dup.exit()).as(dup.toString()).isEqualTo(1);
        assertThat(dup.err()).contains("a snapshot named marked exists already").doesNotContain("Exception");
        Agent.Result bad = agent.run("snapshot", "create", vm, "no_way!", "--local");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err()).contains("snapshot name \"no_way!\" is not valid (valid: 1-63 letters, digits and '-'");

        // Stopped: a write after "marked", a snapshot with the default name, another write after it.
        Virsh.ok("destroy", domain);
        qemuIo(active1, "write -P 0x42 2M 1M");
        Agent.Result stopped = agent.run("snapshot", "create", vm, "--local");
        assertThat(stopped.exit()).as(stopped.toString()).isZero();
        assertThat(stopped.out()).containsPattern(vm + ": snapshot [0-9]{8}T[0-9]{4}Z created")
                .contains("taken while the VM is stopped");
        String byDefault = stopped.out().replaceAll("(?s).*snapshot ([0-9]{8}T[0-9]{4}Z) created.*", "$1");
        Path active2 = active();
        assertThat(active2).isNotEqualTo(active1);
        assertThat(mode(active1)).isEqualTo("r--------");
        qemuIo(active2, "write -P 0x43 2M 1M");

        // Restore "marked": both writes are gone, the disk in use is kept as before-restore-..., it runs again.
        long t1 = System.nanoTime();
        Agent.Result restore = agent.run("snapshot", "restore", vm, "marked", "--grace-period", "1", "--local");
        System.out.printf("restore (stop, new layer, start): %d ms%n", (System.nanoTime() - t1) / 1_000_000);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains(vm + ": snapshot marked restored", "the disk it had is kept as snapshot before-restore-");
        assertThat(Virsh.ok("domstate", domain)).isEqualTo("running");
        Path active3 = active();
        assertThat(region(active3)).as("the snapshot's data at 2M: the base's").isEqualTo(region(BASE));

        // Restore the stopped snapshot: its write (0x42) is back, the later one (0x43) is not.
        Agent.Result back = agent.run("snapshot", "restore", vm, byDefault, "--grace-period", "1", "--local");
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(qemuIo(active(), "read -P 0x42 2M 1M")).doesNotContain("Pattern verification failed");

        Agent.Result list = agent.run("snapshot", "list", vm, "-o", "json", "--local");
        assertThat(list.exit()).as(list.toString()).isZero();
        JsonNode all = new ObjectMapper().readTree(list.out());
        assertThat(all.findValuesAsText("name")).hasSize(4).contains("marked", byDefault);
        assertThat(all.findValuesAsText("madeBy")).containsExactly("manual", "manual", "automatic", "automatic");
        String firstKept = all.get(2).get("name").asText();
        Path firstKeptLayer = Path.of(all.get(2).get("layer").asText());
        assertThat(firstKeptLayer).isEqualTo(active2);

        // Delete: "marked" is the bottom of every chain, so its layer stays; the first kept disk is needed by nothing.
        Agent.Result delMarked = agent.run("snapshot", "delete", vm, "marked", "--local");
        assertThat(delMarked.exit()).as(delMarked.toString()).isZero();
        assertThat(delMarked.out()).contains("stays as an unnamed layer");
        assertThat(vmDir.resolve("disk.qcow2")).exists();
        Agent.Result delKept = agent.run("snapshot", "delete", vm, firstKept, "--local");
        assertThat(delKept.exit()).as(delKept.toString()).isZero();
        assertThat(delKept.out()).contains("removed its layer " + active2);
        assertThat(active2).doesNotExist();
        Agent.Result gone = agent.run("snapshot", "delete", vm, "marked", "--local");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("no snapshot named marked (it has: " + byDefault);
        assertThat(agent.run("snapshot", "list", vm, "--local").out()).doesNotContain("marked").contains(byDefault);

        Agent.Result plan = agent.run("plan", "-f", dir.toString());
        assertThat(plan.exit()).as("the recorded spec is unchanged: " + plan).isZero();

        // Delete keeps the whole chain together; restore --deleted and apply bring the VM back on its active layer.
        Path inUse = active();
        assertThat(agent.run("delete", vm, "--grace-period", "1").exit()).isZero();
        assertThat(vmDir.resolve("layers")).doesNotExist();
        Agent.Result restoreDeleted = agent.run("restore", vm, "--deleted", "--local");
        assertThat(restoreDeleted.exit()).as(restoreDeleted.toString()).isZero();
        Agent.Result recreate = agent.run("apply", "-f", dir.toString());
        assertThat(recreate.exit()).as(recreate.toString()).isZero();
        assertThat(recreate.out()).contains("kept its existing disk " + inUse);
        assertThat(active()).isEqualTo(inUse);
        assertThat(agent.run("snapshot", "list", vm, "--local").out()).contains(byDefault);
        assertThat(Guest.sha256(BASE)).as("the base image is never written").isEqualTo(baseSha);
    }

    /**
     * The journal after a kill (the states a kill -9 leaves, written as it would find them): an
     * intent whose new layer the domain never pointed at is rolled back by the next operation, the
     * layer removed; one whose definition already points at the new layer is finished by the next
     * start, so the VM boots the disk it had when killed and the snapshot is recorded.
     */
    @Test
    void anOperationAKillInterruptedIsRolledBackOrFinishedByTheNextOne() throws Exception {
        writeVm("");
        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        Virsh.ok("destroy", domain);
        Path disk = vmDir.resolve("disk.qcow2");
        Files.createDirectories(vmDir.resolve("layers"));

        // Killed after the new layer was made, before the definition pointed at it: rolled back.
        Path never = vmDir.resolve("layers/never.qcow2");
        Processes.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", disk.toString(), never.toString()),
                Map.of(), null, Duration.ofSeconds(30));
        writeIntent(disk, disk, never);
        Agent.Result next = agent.run("snapshot", "create", vm, "after", "--local");
        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(next.out()).contains("rolled back the create of snapshot ghost that was interrupted",
                vm + ": snapshot after created");
        assertThat(never).doesNotExist();
        Path active = active();

        // Killed after the definition pointed at the new layer, before the record: the next start finishes it.
        Path made = vmDir.resolve("layers/made.qcow2");
        Processes.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", active.toString(), made.toString()),
                Map.of(), null, Duration.ofSeconds(30));
        String xml = Virsh.ok("dumpxml", domain, "--inactive").replace(active.toString(), made.toString());
        Files.writeString(dir.resolve("domain.xml"), xml);
        Virsh.ok("define", dir.resolve("domain.xml").toString());
        writeIntent(Path.of(readActive()), active, made);
        Agent.Result start = agent.run("apply", "-f", dir.toString());
        assertThat(start.exit()).as(start.toString()).isZero();
        assertThat(start.out()).contains("finished the create of snapshot ghost that was interrupted");
        assertThat(Virsh.ok("domstate", domain)).isEqualTo("running");
        assertThat(active()).isEqualTo(made);
        Agent.Result list = agent.run("snapshot", "list", vm, "--local");
        assertThat(list.out()).contains("after", "ghost");
        assertThat(mode(active)).as("frozen by the finish").isEqualTo("r--------");
    }

    private String readActive() throws IOException {
        return new ObjectMapper().readTree(vmDir.resolve("snapshots.json").toFile()).get("active").asText();
    }

    /** The record as an operation leaves it between its intent and its end. */
    private void writeIntent(Path active, Path frozen, Path next) throws IOException {
        Path record = vmDir.resolve("snapshots.json");
        String snapshots = Files.exists(record)
                ? new ObjectMapper().readTree(record.toFile()).get("snapshots").toString() : "[]";
        Files.writeString(record, """
                {"format": 1, "active": "%s", "snapshots": %s,
                 "intent": {"op": "create", "snapshot": "ghost", "frozen": "%s", "next": "%s",
                            "at": "2026-12-01T22:15:00Z", "sizeBytes": 0}}
                """.formatted(active, snapshots, frozen, next));
    }

    /**
     * {@code disk.from}: a clone's disk is a full copy of another VM's snapshot — the data of the
     * snapshot, not what the source wrote after it — standing alone (no backing file), so deleting
     * the snapshot and then the source VM leaves the clone whole and running.
     */
    @Test
    void aCloneOfASnapshotHasItsDataStandsAloneAndOutlivesTheSnapshotAndTheSource() throws Exception {
        String baseSha = Guest.sha256(BASE);
        applyMarkedVm();
        Virsh.ok("destroy", domain);
        qemuIo(active(), "write -P 0x42 2M 1M");
        Agent.Result gold = agent.run("snapshot", "create", vm, "gold", "--local");
        assertThat(gold.exit()).as(gold.toString()).isZero();
        qemuIo(active(), "write -P 0x43 2M 1M"); // after the snapshot: never in the clone

        Path cloneDir = dir.resolve("clone");
        Files.createDirectories(cloneDir);
        Files.writeString(cloneDir.resolve("clone.yaml"), Manifests.tinyVmYaml(clone, "1", "128Mi", "", "96Mi")
                .replace("disk: {image: /var/lib/berth/images/base-64m.qcow2, size: 96Mi}",
                        "disk: {from: {workload: " + vm + ", snapshot: gold}, size: 96Mi}"));
        Agent.Result plan = agent.run("plan", "-f", cloneDir.toString());
        assertThat(plan.out()).as(plan.toString()).contains(clone, "create",
                "its disk is a full copy of snapshot gold of " + vm);
        Agent.Result made = agent.run("apply", "-f", cloneDir.toString());
        assertThat(made.exit()).as(made.toString()).isZero();
        assertThat(Virsh.ok("domstate", "berth-" + clone)).isEqualTo("running");
        Path cloneDisk = STATE.resolve("vms").resolve(clone).resolve("disk.qcow2");
        Processes.Result info = Processes.run(List.of("qemu-img", "info", "-U", "--output=json", cloneDisk.toString()),
                Map.of(), null, Duration.ofSeconds(30));
        JsonNode image = new ObjectMapper().readTree(info.out());
        assertThat(image.has("backing-filename")).as("stands alone: " + info.out()).isFalse();
        assertThat(image.get("virtual-size").asLong()).isEqualTo(96L << 20);
        assertThat(mode(cloneDisk)).isEqualTo("rw-------");
        assertThat(Guest.firstBytes(cloneDisk)).as("the source guest's write").startsWith(MARKER);
        assertThat(qemuIo(cloneDisk, "read -P 0x42 2M 1M")).as("the snapshot's data").doesNotContain("verification failed");

        // The snapshot, then the source VM itself go: the clone is untouched.
        assertThat(agent.run("snapshot", "delete", vm, "gold", "--local").exit()).isZero();
        Agent.Result gone = agent.run("delete", vm, "--grace-period", "1");
        assertThat(gone.exit()).as(gone.toString()).isZero();
        assertThat(Virsh.ok("domstate", "berth-" + clone)).isEqualTo("running");
        assertThat(qemuIo(cloneDisk, "read -P 0x42 2M 1M")).doesNotContain("verification failed");
        Agent.Result again = agent.run("plan", "-f", cloneDir.toString());
        assertThat(again.exit()).as("a clone whose source is gone plans no change: " + again).isZero();
        assertThat(Guest.sha256(BASE)).as("the base image").isEqualTo(baseSha);

        // A clone of a snapshot that does not exist: refused, nothing made.
        String orphan = "orphan-" + id;
        Path orphanDir = dir.resolve("orphan");
        Files.createDirectories(orphanDir);
        Files.writeString(orphanDir.resolve("o.yaml"), Manifests.tinyVmYaml(orphan, "1", "128Mi", "")
                .replace("disk: {image: /var/lib/berth/images/base-64m.qcow2}", "disk: {from: {workload: " + clone
                        + ", snapshot: nope}}"));
        Agent.Result refused = agent.run("apply", "-f", orphanDir.toString());
        assertThat(refused.exit()).as(refused.toString()).isNotZero();
        assertThat(refused.out() + refused.err()).contains(clone + " has no snapshot named nope on this host (it has none)")
                .doesNotContain("Exception");
        assertThat(STATE.resolve("vms").resolve(orphan).resolve("disk.qcow2")).doesNotExist();
        assertThat(Virsh.run("dominfo", "berth-" + orphan).exit()).isNotZero();
    }

    @Test
    void aContainerHasNoSnapshotsYetAndAnUnknownWorkloadIsNamed() {
        Agent.Result none = agent.run("snapshot", "create", "nothing-" + id, "--local");
        assertThat(none.exit()).as(none.toString()).isEqualTo(1);
        assertThat(none.err()).contains("nothing-" + id + ": no workload of that name is managed here");
    }

    /** The tiny test VM applied and running, once its guest wrote the marker to its disk. */
    private void applyMarkedVm() throws Exception {
        writeVm("berth.write=1");
        Agent.Result apply = agent.run("apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        Guest.awaitConsole(vmDir.resolve("console.log"), "berth-guest: wrote disk vda");
    }

    /** The tiny test VM (64 MiB disk, TCG) with these extra kernel arguments. */
    private void writeVm(String cmdlineExtra) throws IOException {
        Files.writeString(dir.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "1", "128Mi", cmdlineExtra));
    }

    private Path active() {
        String blk = Virsh.ok("domblklist", domain, "--inactive");
        return Path.of(blk.lines().filter(l -> l.strip().startsWith("vda")).findFirst().orElseThrow().strip().split("\\s+")[1]);
    }

    private static String qemuIo(Path image, String command) throws Exception {
        List<String> cmd = command.startsWith("read")
                ? List.of("qemu-io", "-r", "-U", "-f", "qcow2", "-c", command, image.toString())
                : List.of("qemu-io", "-f", "qcow2", "-c", command, image.toString());
        Processes.Result r = Processes.run(cmd, Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out() + r.err();
    }

    /** The sha256 of the guest-visible MiB at 2 MiB, read through the chain. */
    private String region(Path image) throws Exception {
        Path raw = dir.resolve("region-" + System.nanoTime() + ".raw");
        Processes.Result r = Processes.run(List.of("qemu-img", "dd", "-U", "-f", "qcow2", "-O", "raw", "bs=1M", "skip=2",
                "count=1", "if=" + image, "of=" + raw), Map.of(), null, Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.err()).isZero();
        return Guest.sha256(raw);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
