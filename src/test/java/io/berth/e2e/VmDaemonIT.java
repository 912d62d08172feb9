package io.berth.e2e;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code agent serve} with a virtual machine, against the real libvirtd: the resync interval is
 * ten minutes, so a VM destroyed by hand can only be back within seconds because libvirt's
 * lifecycle event reached the daemon.
 */
class VmDaemonIT {

    static final Duration BOOT = Duration.ofSeconds(120);

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-vmd-" + id;
    final String vm = "vmd-" + id;
    final String domain = "berth-" + vm;

    @TempDir
    Path manifests;
    /** QEMU (libvirt-qemu) must reach the VM's disk under it, so not a 0700 JUnit directory. */
    final Path state = Virsh.stateDir("vm-daemon");

    DaemonProcess daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "10m"));
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Virsh.removeAgentDomains(agent);
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aVmDestroyedByHandRunsAgainWithinSecondsFromLibvirtsEventsAndTheDaemonStillStopsPromptly() throws Exception {
        Files.writeString(manifests.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", ""));
        daemon.await("VM running", BOOT, this::running);
        String firstId = Virsh.ok("domid", domain);

        Virsh.ok("destroy", domain);
        long destroyed = System.nanoTime();
        daemon.await("VM running again", Duration.ofSeconds(15), () -> running() && !Virsh.ok("domid", domain).equals(firstId));
        Duration repaired = Duration.ofNanos(System.nanoTime() - destroyed);
        assertThat(repaired).as("repaired from the event, not the 10 min resync").isLessThan(Duration.ofSeconds(10));

        // The libvirt event loop thread and the watch's reconnecting thread never hold the JVM open.
        daemon.process().destroy();
        assertThat(daemon.process().waitFor(20, TimeUnit.SECONDS)).as("the daemon exits").isTrue();
        assertThat(Virsh.ok("domstate", domain)).as("stopping Berth leaves the VM running").isEqualTo("running");
    }

    private boolean running() {
        return Virsh.run("domstate", domain).out().equals("running");
    }
}
