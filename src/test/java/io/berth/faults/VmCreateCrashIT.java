package io.berth.faults;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 1: kill -9 of the daemon during a VM create, at three points of it — the overlay just
 * made (before define), the domain just defined (before start), QEMU launched (before libvirt
 * says Started) — each followed by a restart of the daemon. Each VM then runs exactly once on its
 * one disk, no overlay is left without its domain, the guest's marker written after the restart is
 * on the disk, and a last kill -9 of a daemon whose VMs all run changes nothing (same domain ids,
 * marker still there).
 *
 * <p>The kills are chained in one daemon's life to keep the run short: each restart after a kill
 * is the daemon the next VM is created by, so the three boots overlap.
 */
class VmCreateCrashIT {

    static final Duration BOOT = Duration.ofSeconds(180);

    enum Point {
        /** STATE/vms/NAME/disk.qcow2 exists; libvirt has not reported the domain Defined. */
        OVERLAY,
        /** libvirt reported Defined; not yet Started. */
        DEFINED,
        /** QEMU has opened the serial console file; libvirt has not reported Started. */
        STARTING
    }

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-vmcrash-" + id;
    final Path state = Virsh.stateDir("fault-vmcrash");

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

    record Kill(Point point, String vm, boolean overlay, boolean defined, boolean started, boolean console, int exit) {
        boolean midCreate() {
            return exit == 137 && switch (point) {
                case OVERLAY -> overlay && !defined && !started;
                case DEFINED -> defined && !started;
                case STARTING -> defined && console && !started;
            };
        }

        @Override
        public String toString() {
            return "kill at " + point + " of " + vm + ": overlay " + overlay + ", Defined seen " + defined
                    + ", console opened " + console + ", Started seen " + started + " (exit " + exit + ")";
        }
    }

    @Test
    void killMinusNineAtEachStepOfAVmCreateThenRestartRunsEachVmOnceOnItsOneDisk() throws Exception {
        Map<String, String> env = Map.of("BERTH_RESYNC_INTERVAL", "2s");
        daemon = DaemonProcess.start(manifests, state, agent, env);
        List<Kill> kills = new ArrayList<>();
        Set<String> vms = new LinkedHashSet<>();
        try (Faults.DomainEvents events = new Faults.DomainEvents()) {
            for (Point point : Point.values()) {
                String vm = "fvc-" + id + "-" + point.name().toLowerCase();
                vms.add(vm);
                String domain = "berth-" + vm;
                Path dir = state.resolve("vms").resolve(vm);
                BooleanSupplier reached = switch (point) {
                    // The overlay is made as disk.qcow2.tmp and renamed when whole: either name.
                    case OVERLAY -> () -> Files.exists(dir.resolve("disk.qcow2.tmp")) || Files.exists(dir.resolve("disk.qcow2"));
                    case DEFINED -> () -> events.seen(domain, "Defined");
                    case STARTING -> () -> Files.exists(dir.resolve("console.log"));
                };
                Files.writeString(manifests.resolve(vm + ".yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", "berth.write=1"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!reached.getAsBoolean()) {
                    assertThat(System.nanoTime()).as(point + " of " + vm + " within 60 s; daemon log:\n" + daemon.log())
                            .isLessThan(deadline);
                    assertThat(daemon.process().isAlive()).as("daemon alive").isTrue();
                    Thread.onSpinWait();
                }
                int exit = Faults.kill9(daemon.process());
                // What existed at the moment of the kill (the events already received then).
                Kill k = new Kill(point, vm,
                        Files.exists(dir.resolve("disk.qcow2.tmp")) || Files.exists(dir.resolve("disk.qcow2")), events.seen(domain, "Defined"),
                        events.seen(domain, "Started"), Files.exists(dir.resolve("console.log")), exit);
                kills.add(k);
                System.out.println("VmCreateCrashIT " + k + "; libvirt events so far: " + events.of(domain));
                daemon.close();
                daemon = DaemonProcess.start(manifests, state, agent, env);
            }
        }
        for (Kill k : kills) {
            assertThat(k.midCreate()).as("the kill landed mid-create: " + k).isTrue();
        }

        // After the restarts: every VM runs, once, and its guest wrote its marker after booting.
        Map<String, String> ids = new java.util.TreeMap<>();
        for (String vm : vms) {
            Path console = state.resolve("vms").resolve(vm).resolve("console.log");
            daemon.await(vm + " running and its guest wrote its disk", BOOT, () -> running("berth-" + vm)
                    && Files.exists(console) && read(console).contains("berth-guest: wrote disk vda"));
            assertThat(read(console).split("berth-guest: booted", -1)).as(vm + " booted once (one QEMU since the overlay was made)")
                    .hasSize(2);
        }
        Thread.sleep(3000); // a resync (2 s) later
        for (String vm : vms) {
            assertThat(running("berth-" + vm)).as(vm + " still running").isTrue();
            ids.put(vm, Virsh.ok("domid", "berth-" + vm));
        }
        Aftermath.check("VmCreateCrashIT after the restarts", daemon, state, agent, Aftermath.Expect.vms(vms, vms));

        // And a kill -9 while all runs: nothing recreated, nothing restarted, the data still there.
        Faults.kill9(daemon.process());
        daemon.close();
        daemon = DaemonProcess.start(manifests, state, agent, env);
        Thread.sleep(3000);
        for (String vm : vms) {
            assertThat(Virsh.ok("domid", "berth-" + vm)).as(vm + " not restarted by the restarted daemon").isEqualTo(ids.get(vm));
        }
        Aftermath.check("VmCreateCrashIT after a kill of the steady daemon", daemon, state, agent, Aftermath.Expect.vms(vms, vms));
        System.out.println("VmCreateCrashIT: " + kills.size() + " kills mid-create -> each VM running once on its one disk, "
                + "marker intact; domain ids " + ids);
    }

    private static boolean running(String domain) {
        return Virsh.run("domstate", domain).out().equals("running");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
