package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Guest;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration through two daemons (CONTRACT §6.2), against libvirtd and QEMU under TCG: daemon A
 * (its own state directory and agent name) runs a VM whose guest wrote its marker; {@code agent
 * backup} through A writes the archive (progress and {@code BackupCreated} events, the VM never
 * restarted, the loop holding off). Daemon B — "another host": another state directory and agent
 * name — restores it through {@code POST /api/v1/restore} under a new name; its printed manifest
 * (with the guest's own marker write taken out, so the marker can only come from the backup) put
 * in B's watched directory boots a VM whose disk holds A's data. A corrupted archive is refused by
 * B's API (400 naming the part, exit 1 from the CLI) with nothing created; a restore for a name B
 * already declares and runs is refused (409).
 */
class VmBackupDaemonIT {

    static final Duration BOOT = Duration.ofSeconds(120);
    static final String MARKER = "berth-guest-was-here";

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentA = "e2e-bkda-" + id;
    final String agentB = "e2e-bkdb-" + id;
    final String vm = "bkd-" + id;
    final String copy = "bkdcopy-" + id;
    final String broken = "bkdbad-" + id;

    @TempDir
    Path dir;
    /** QEMU (libvirt-qemu) must reach the VMs' disks under them, so not 0700 JUnit directories. */
    final Path stateA = Virsh.stateDir("backup-a");
    final Path stateB = Virsh.stateDir("backup-b");

    final List<DaemonProcess> daemons = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (DaemonProcess d : daemons) {
            d.close();
        }
        Virsh.removeAgentDomains(agentA);
        Virsh.removeAgentDomains(agentB);
        for (Path state : List.of(stateA, stateB)) {
            try (Stream<Path> files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aVmBackedUpThroughDaemonABootsWithItsDataWhenRestoredThroughDaemonB() throws Exception {
        Path manifestsA = Files.createDirectories(dir.resolve("a"));
        Path manifestsB = Files.createDirectories(dir.resolve("b"));
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Files.writeString(manifestsA.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "1", "128Mi", "berth.write=1"));
        DaemonProcess a = start(manifestsA, stateA, agentA);
        a.await("VM running on A", BOOT, () -> running("berth-" + vm));
        Guest.awaitConsole(stateA.resolve("vms").resolve(vm).resolve("console.log"), "berth-guest: wrote disk vda");
        String domId = Virsh.ok("domid", "berth-" + vm);

        // Backup through daemon A (the CLI's default mode).
        Agent client = new Agent(agentA);
        Agent.Result backup = client.run(a.clientEnv(), "backup", vm, "--to", backups.toString());
        assertThat(backup.exit()).as(backup.toString()).isZero();
        assertThat(backup.out()).contains(vm + ": backed up to " + backups.resolve(vm + "-"), "point in time: snapshot backup-");
        assertThat(backup.err()).as("the daemon's progress events, on the terminal").contains(vm + ": flattening its disk",
                vm + ": copying ");
        List<Path> archives;
        try (Stream<Path> s = Files.list(backups)) {
            archives = s.toList();
        }
        assertThat(archives).as("one archive, no temporary file left").hasSize(1);
        Path archive = archives.getFirst();
        assertThat(archive.getFileName().toString()).matches(vm + "-[0-9]{8}T[0-9]{6}Z\\.berth\\.tar");
        assertThat(VmBackupIT.run("tar", "-tf", archive.toString()).out()).isEqualTo("backup.json\nspec.yaml\nSHA256SUMS\ndisk.qcow2\n");
        List<String> eventsA = events(a, vm);
        assertThat(eventsA).anyMatch(e -> e.startsWith("BackupProgress: flattening its disk"))
                .anyMatch(e -> e.startsWith("BackupProgress: copying "))
                .anyMatch(e -> e.startsWith("BackupCreated: backed up to " + archive));
        int from = firstIndex(eventsA, "BackupProgress");
        assertThat(eventsA.subList(from, eventsA.size())).as("the loop held off during the backup: " + eventsA)
                .noneMatch(e -> e.startsWith("DriftDetected") || e.startsWith("Started") || e.startsWith("Failed"));
        assertThat(Virsh.ok("domid", "berth-" + vm)).as("the source never restarted").isEqualTo(domId);

        // "Another host": daemon B, its own state directory and agent name.
        DaemonProcess b = start(manifestsB, stateB, agentB);
        Agent clientB = new Agent(agentB);
        Map<String, String> envB = b.clientEnv();

        // A corrupted archive: 400 from B's API naming the part, exit 1 from the CLI, nothing created.
        Path bad = dir.resolve("bad.berth.tar");
        Files.copy(archive, bad);
        VmBackupIT.flipByteNearEnd(bad);
        HttpResponse<String> refused = b.post("/api/v1/restore", b.token(), "application/json",
                "{\"from\": \"" + bad + "\", \"as\": \"" + broken + "\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("part disk.qcow2 is damaged", "nothing was changed");
        Agent.Result refusedCli = clientB.run(envB, "restore", "--from", bad.toString(), "--as", broken);
        assertThat(refusedCli.exit()).as(refusedCli.toString()).isEqualTo(1);
        assertThat(refusedCli.err()).contains("part disk.qcow2 is damaged", "nothing was changed").doesNotContain("Exception");
        assertThat(stateB.resolve("vms").resolve(broken)).doesNotExist();

        // The restore through B, and its manifest declared in B's watched directory.
        Agent.Result restore = clientB.run(envB, "restore", "--from", archive.toString(), "--as", copy);
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.err()).contains(copy + ": restored " + archive, "every part's sha256 verified");
        assertThat(restore.err()).as("the daemon's progress events").contains(copy + ": verifying ", copy + ": extracting ");
        assertThat(restore.out()).contains("kind: VirtualMachine", "name: " + copy, "berth.write=1").doesNotContain(vm);
        Path copyDisk = stateB.resolve("vms").resolve(copy).resolve("disk.qcow2");
        assertThat(copyDisk).exists();
        assertThat(stateA.resolve("vms").resolve(copy)).as("nothing on A").doesNotExist();
        // Without the guest's own write the marker on the copy's disk can only be the backup's.
        Files.writeString(manifestsB.resolve("copy.yaml"), restore.out().replace(" berth.write=1", ""));
        b.await("the copy running on B", BOOT, () -> running("berth-" + copy));
        assertThat(Virsh.ok("domblklist", "berth-" + copy)).contains(copyDisk.toString());
        assertThat(Guest.firstBytes(copyDisk)).as("A's data on B").startsWith(MARKER);
        List<String> eventsB = events(b, copy);
        assertThat(eventsB).as(eventsB.toString()).anyMatch(e -> e.startsWith("RestoreProgress: extracting "))
                .anyMatch(e -> e.startsWith("Restored: its disk restored from " + archive));
        assertThat(events(b, broken)).as("the refused archive made no Restored event").noneMatch(e -> e.startsWith("Restored"));
        assertThat(b.get("/api/v1/events", b.token()).body()).contains("RestoreProgress", "verifying ");
        String status = b.get("/api/v1/workloads/" + copy, b.token()).body();
        assertThat(status).as(status).doesNotContain("\"Failed\"");

        // B now declares and runs the name: a second restore of it is refused, the running copy untouched.
        String copyId = Virsh.ok("domid", "berth-" + copy);
        Agent.Result again = clientB.run(envB, "restore", "--from", archive.toString(), "--as", copy);
        assertThat(again.exit()).as(again.toString()).isEqualTo(1);
        assertThat(again.err()).contains("refused: a workload " + copy + " exists on this host; nothing was changed");
        assertThat(Virsh.ok("domid", "berth-" + copy)).isEqualTo(copyId);

        // The source on A is untouched.
        assertThat(Virsh.ok("domid", "berth-" + vm)).isEqualTo(domId);
        assertThat(Guest.firstBytes(stateA.resolve("vms").resolve(vm).resolve("disk.qcow2"))).startsWith(MARKER);
        Agent.Result onA = client.run(a.clientEnv(), "get", "-o", "json");
        assertThat(onA.out()).as(onA.toString()).contains(vm).doesNotContain(copy);
    }

    private DaemonProcess start(Path manifests, Path state, String agent) throws Exception {
        DaemonProcess d = DaemonProcess.start(manifests, state, agent, Map.of());
        daemons.add(d);
        return d;
    }

    /** The daemon's events for {@code name} as "Type: message". */
    private static List<String> events(DaemonProcess d, String name) throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode all = new ObjectMapper().readTree(d.get("/api/v1/events", d.token()).body());
        all.forEach(e -> {
            if (name.equals(e.path("name").asText())) {
                out.add(e.get("type").asText() + ": " + e.path("message").asText());
            }
        });
        return out;
    }

    private static int firstIndex(List<String> events, String type) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith(type + ":")) {
                return i;
            }
        }
        throw new AssertionError("no " + type + " event in " + events);
    }

    private static boolean running(String domain) {
        return Virsh.run("domstate", domain).out().equals("running");
    }

}
