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
import java.io.RandomAccessFile;
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
 * Backups (CONTRACT §6.2) through the real {@code ./agent backup|restore --from ... --local}
 * against libvirtd and QEMU under TCG: a backup of a running VM holds what its guest wrote (the
 * {@code berth.write=1} marker) and not what was written after it (qemu-io at 2 MiB while the
 * domain is off); restored under another name and applied, the copy boots from that disk, which
 * stands alone; the source keeps its data and no leftover snapshot; a flipped byte of the disk
 * part is refused before anything is made; a name that exists is refused.
 */
class VmBackupIT {

    static final Path STATE = Path.of("/var/lib/berth");
    static final String MARKER = "berth-guest-was-here";

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-vmbackup-" + id);
    final String vm = "bak-" + id;
    final String copy = "bakcopy-" + id;
    final String broken = "bakbad-" + id;
    final String domain = "berth-" + vm;

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() throws IOException {
        agent.run("delete", vm, copy, "--grace-period", "1");
        Virsh.removeAgentDomains(agent.name());
        for (String n : List.of(vm, copy, broken)) {
            for (Path p : List.of(STATE.resolve("deleted").resolve(n), STATE.resolve("vms").resolve(n))) {
                if (Files.exists(p)) {
                    try (Stream<Path> all = Files.walk(p)) {
                        for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aBackupOfARunningVmRestoredUnderANewNameBootsWithTheBackupsDataAndTheSourceIsUntouched() throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("m"));
        Files.writeString(manifests.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "1", "128Mi", "berth.write=1"));
        Agent.Result apply = agent.run("apply", "-f", manifests.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        Guest.awaitConsole(STATE.resolve("vms").resolve(vm).resolve("console.log"), "berth-guest: wrote disk vda");
        String domId = Virsh.ok("domid", domain);

        Path backups = Files.createDirectories(dir.resolve("backups"));
        long t0 = System.nanoTime();
        Agent.Result backup = agent.run("backup", vm, "--to", backups.toString(), "--local");
        System.out.printf("backup of a running VM: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertThat(backup.out()).contains(vm + ": backed up to " + backups.resolve(vm + "-"), "point in time: snapshot backup-");
        assertThat(backup.err()).contains(vm + ": flattening its disk", vm + ": copying");
        assertThat(Virsh.ok("domid", domain)).as("never restarted").isEqualTo(domId);
        List<Path> archives;
        try (Stream<Path> s = Files.list(backups)) {
            archives = s.toList();
        }
        assertThat(archives).as("one archive, no temporary file left").hasSize(1);
        Path archive = archives.getFirst();
        assertThat(archive.getFileName().toString()).matches(vm + "-[0-9]{8}T[0-9]{6}Z\\.berth\\.tar");
        assertThat(mode(archive)).isEqualTo("rw-------");
        assertThat(run("tar", "-tf", archive.toString()).out()).isEqualTo("backup.json\nspec.yaml\nSHA256SUMS\ndisk.qcow2\n");
        Agent.Result snaps = agent.run("snapshot", "list", vm, "-o", "json", "--local");
        assertThat(new ObjectMapper().readTree(snaps.out()).findValuesAsText("name")).as("the backup's snapshot is gone")
                .noneMatch(n -> n.startsWith("backup-"));

        // After the backup: a write the copy must not have.
        Virsh.ok("destroy", domain);
        Path active = active(domain);
        qemuIo(active, "write -P 0x43 2M 1M");

        // A flipped byte in the disk part: refused before anything is made.
        Path bad = dir.resolve("bad.berth.tar");
        Files.copy(archive, bad);
        flipByteNearEnd(bad);
        Agent.Result refused = agent.run("restore", "--from", bad.toString(), "--as", broken, "--local");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("part disk.qcow2 is damaged", "nothing was changed").doesNotContain("Exception");
        assertThat(STATE.resolve("vms").resolve(broken)).doesNotExist();

        // The original name exists here: refused.
        Agent.Result taken = agent.run("restore", "--from", archive.toString(), "--local");
        assertThat(taken.exit()).as(taken.toString()).isEqualTo(1);
        assertThat(taken.err()).contains("refused: a workload " + vm + " exists on this host; nothing was changed");

        Agent.Result restore = agent.run("restore", "--from", archive.toString(), "--as", copy, "--local");
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.err()).contains(copy + ": restored " + archive, "every part's sha256 verified");
        assertThat(restore.out()).contains("kind: VirtualMachine", "name: " + copy, "base-64m.qcow2").doesNotContain(vm);
        Path copyDisk = STATE.resolve("vms").resolve(copy).resolve("disk.qcow2");
        assertThat(mode(copyDisk)).isEqualTo("rw-------");
        assertThat(mode(copyDisk.getParent())).isEqualTo("rwx--x--x");
        JsonNode info = new ObjectMapper().readTree(run("qemu-img", "info", "-U", "--output=json", copyDisk.toString()).out());
        assertThat(info.has("backing-filename")).as("stands alone").isFalse();

        Path copyManifests = Files.createDirectories(dir.resolve("copy"));
        Files.writeString(copyManifests.resolve("copy.yaml"), restore.out());
        Agent.Result made = agent.run("apply", "-f", copyManifests.toString());
        assertThat(made.exit()).as(made.toString()).isZero();
        assertThat(made.out()).contains("kept its disk restored from a backup " + copyDisk);
        assertThat(Virsh.ok("domstate", "berth-" + copy)).isEqualTo("running");
        Path copyActive = active("berth-" + copy);
        assertThat(copyActive).isEqualTo(copyDisk);
        assertThat(Guest.firstBytes(copyDisk)).as("the guest's write before the backup").startsWith(MARKER);
        assertThat(qemuIo(copyDisk, "read -P 0x43 2M 1M")).as("not the write after it").contains("Pattern verification failed");
        Agent.Result again = agent.run("plan", "-f", copyManifests.toString());
        assertThat(again.exit()).as("the restored VM plans no change: " + again).isZero();

        // The source is untouched: its later write is still there.
        assertThat(qemuIo(active, "read -P 0x43 2M 1M")).doesNotContain("Pattern verification failed");
        assertThat(Guest.firstBytes(active)).startsWith(MARKER);
    }

    @Test
    void aBackupOfAnUnknownWorkloadOrIntoAMissingDirectoryIsRefused() throws IOException {
        Agent.Result none = agent.run("backup", "nothing-" + id, "--to", dir.toString(), "--local");
        assertThat(none.exit()).as(none.toString()).isEqualTo(1);
        assertThat(none.err()).contains("nothing-" + id + ": no workload of that name is managed here");
        Agent.Result missing = agent.run("restore", "--from", dir.resolve("none.berth.tar").toString(), "--local");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.err()).contains("is not a file on this host");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    private static Path active(String domain) {
        String blk = Virsh.ok("domblklist", domain, "--inactive");
        return Path.of(blk.lines().filter(l -> l.strip().startsWith("vda")).findFirst().orElseThrow().strip().split("\\s+")[1]);
    }

    /** Flips a byte of the disk part: the last part, so a byte just before the padding and end marker is in it. */
    static void flipByteNearEnd(Path archive) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            long at = f.length() - 1024 - 512 - 100;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }

    static Processes.Result run(String... command) {
        Processes.Result r = Processes.run(List.of(command), Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.err()).isZero();
        return r;
    }

    private static String qemuIo(Path image, String command) {
        List<String> cmd = command.startsWith("read")
                ? List.of("qemu-io", "-r", "-U", "-f", "qcow2", "-c", command, image.toString())
                : List.of("qemu-io", "-f", "qcow2", "-c", command, image.toString());
        Processes.Result r = Processes.run(cmd, Map.of(), null, Duration.ofSeconds(60));
        String out = r.out() + r.err();
        // A read whose pattern differs exits 1 and says so; anything else must succeed.
        assertThat(r.exit() == 0 || out.contains("Pattern verification failed")).as(out).isTrue();
        return out;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
