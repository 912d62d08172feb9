package io.berth.faults;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Manifests;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 6: kill -9 of the daemon during a disk grow and during a delete. After the restart the
 * disk is whole — grown or not, never half (qemu-img check clean, the guest's marker there, the
 * virtual size the old or the new one, and the new one once reconciled) — and a deleted VM's disk
 * is kept aside under {@code STATE/deleted/NAME/STAMP/} with the marker in it.
 */
class VmDataCrashIT {

    static final Duration BOOT = Duration.ofSeconds(180);

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-vmdata-" + id;
    final String vm = "fvd-" + id;
    final String domain = "berth-" + vm;
    final Path state = Virsh.stateDir("fault-vmdata");

    @TempDir
    Path manifests;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Virsh.removeAgentDomainsAndState(agent, state);
    }

    private Path disk() {
        return state.resolve("vms").resolve(vm).resolve("disk.qcow2");
    }

    private void bootWithMarker(String size) throws Exception {
        Files.writeString(manifests.resolve(vm + ".yaml"), vmYaml(size));
        Path console = state.resolve("vms").resolve(vm).resolve("console.log");
        daemon.await(vm + " wrote its marker", BOOT, () -> Files.exists(console)
                && read(console).contains("berth-guest: wrote disk vda"));
    }

    @Test
    void killMinusNineDuringADiskGrowLeavesTheDiskWholeGrownOrNot() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
        bootWithMarker("64Mi");
        long before = virtualSize(disk());
        Files.writeString(manifests.resolve(vm + ".yaml"), vmYaml("256Mi"));
        // The grow's own step: a qemu-img (or libvirt's block resize) on this disk.
        daemon.await("the grow started", Duration.ofSeconds(60), () -> qemuImgOn(disk()) || virtualSize(disk()) != before);
        boolean midGrow = qemuImgOn(disk());
        Faults.kill9(daemon.process());
        long atKill = virtualSize(disk());
        System.out.println("VmDataCrashIT grow: killed " + (midGrow ? "while qemu-img ran" : "after the resize") + ", virtual size "
                + before + " -> " + atKill + " at the kill");
        assertCheckClean(disk());
        assertThat(atKill).as("old or new size, never another").isIn(before, 256L << 20);
        daemon.close();
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
        daemon.await("grown after the restart", Duration.ofSeconds(60), () -> virtualSize(disk()) == 256L << 20);
        assertCheckClean(disk());
        Aftermath.check("VmDataCrashIT grow", daemon, state, agent, Aftermath.Expect.vms(Set.of(vm), Set.of(vm)));
    }

    @Test
    void killMinusNineDuringADeleteKeepsTheDeletedVmsDisk() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
        bootWithMarker("64Mi");
        try (Faults.DomainEvents events = new Faults.DomainEvents()) {
            Files.delete(manifests.resolve(vm + ".yaml"));
            daemon.await("the delete started", Duration.ofSeconds(60), () -> events.seen(domain, "Stopped")
                    || events.seen(domain, "Undefined"));
            Faults.kill9(daemon.process());
            System.out.println("VmDataCrashIT delete: killed after " + events.of(domain));
        }
        daemon.close();
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
        daemon.await("the domain is gone", Duration.ofSeconds(60), () -> Virsh.run("dominfo", domain).exit() != 0);
        Path kept;
        try (Stream<Path> files = Files.walk(state.resolve("deleted").resolve(vm))) {
            kept = files.filter(p -> p.getFileName().toString().equals("disk.qcow2")).findFirst().orElseThrow();
        }
        assertCheckClean(kept);
        assertThat(Aftermath.firstBytes(kept, Aftermath.MARKER.length())).as("the kept disk has the guest's data")
                .isEqualTo(Aftermath.MARKER);
        Aftermath.check("VmDataCrashIT delete", daemon, state, agent, Aftermath.Expect.vms(Set.of(), Set.of()));
    }

    private String vmYaml(String size) {
        return Manifests.tinyVmYaml(vm, "0.5", "128Mi", "berth.write=1")
                .replace("disk: {image: /var/lib/berth/images/base-64m.qcow2}",
                        "disk: {image: /var/lib/berth/images/base-64m.qcow2, size: " + size + "}");
    }

    private static boolean qemuImgOn(Path disk) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine()
                .map(c -> c.contains("qemu-img") && c.contains(disk.toString())).orElse(false));
    }

    private static long virtualSize(Path disk) {
        Processes.Result r = Processes.run(List.of("qemu-img", "info", "-U", "--output=json", disk.toString()), Map.of(), null,
                Duration.ofSeconds(30));
        var m = java.util.regex.Pattern.compile("\"virtual-size\":\\s*(\\d+)").matcher(r.out());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void assertCheckClean(Path disk) {
        Processes.Result r = Processes.run(List.of("qemu-img", "check", "-U", disk.toString()), Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as("qemu-img check " + disk + ":\n" + r.out() + r.err()).isZero();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
