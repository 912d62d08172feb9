package io.berth.faults;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 3: the host's libvirtd stopped right after it defined a VM the daemon is creating (the
 * Defined event), then started again the way deploy/host-setup.sh runs it (systemd or plain
 * daemons): the VM then runs exactly once on its one disk, and the daemon has reconnected both
 * ways — its shared connection (the API lists the VM as observed, running) and its libvirt event
 * loop (with a ten-minute resync, a VM destroyed by hand is back within seconds only through a
 * lifecycle event). libvirtd comes back in {@link #cleanUp} whatever happens.
 */
class LibvirtdRestartDuringCreateIT {

    static final Duration BOOT = Duration.ofSeconds(180);

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-libvirtd-" + id;
    final String vm = "flv-" + id;
    final String domain = "berth-" + vm;
    final Path state = Virsh.stateDir("fault-libvirtd");

    @TempDir
    Path manifests;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        HostDaemons.ensureLibvirtd();
        if (daemon != null) {
            daemon.close();
        }
        Virsh.removeAgentDomainsAndState(agent, state);
    }

    @Test
    void libvirtdStoppedRightAfterDefineThenBackRunsTheVmOnceAndTheDaemonReconnects() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "10m"));
        HostDaemons.awaitNoOtherTestRun("stopping libvirtd");
        boolean startedAtStop;
        String eventsAtStop;
        long t0;
        long stoppedAt;
        try (Faults.DomainEvents events = new Faults.DomainEvents()) {
            Thread.sleep(300); // virsh event is connected
            t0 = System.nanoTime();
            Files.writeString(manifests.resolve(vm + ".yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", "berth.write=1"));
            daemon.await("libvirt defined " + domain, Duration.ofSeconds(60), () -> events.seen(domain, "Defined"));
            HostDaemons.stopLibvirtd();
            stoppedAt = System.nanoTime();
            startedAtStop = events.seen(domain, "Started");
            eventsAtStop = String.join(" / ", events.of(domain));
        }
        System.out.printf("LibvirtdRestartDuringCreateIT: libvirtd stopped %d ms after the manifest was written, after"
                + " [%s]%n", (stoppedAt - t0) / 1_000_000, eventsAtStop);
        assertThat(startedAtStop).as("libvirtd stopped mid-create: the domain defined, not yet started").isFalse();
        Thread.sleep(2000); // the daemon's start (or its first retry) fails meanwhile
        assertThat(daemon.process().isAlive()).as("daemon survives libvirtd's absence").isTrue();

        HostDaemons.ensureLibvirtd();
        long backAt = System.nanoTime();
        daemon.await(vm + " running", BOOT, () -> running() && console().contains("berth-guest: wrote disk vda"));
        long ran = System.nanoTime();
        String token = daemon.token();
        daemon.await("the API sees " + vm + " running (the shared connection reopened)", Duration.ofSeconds(30), () -> {
            HttpResponse<String> r = daemon.get("/api/v1/workloads/" + vm, token);
            return r != null && r.statusCode() == 200 && r.body().matches("(?s).*\"state\"\\s*:\\s*\"Running\".*");
        });

        // The event loop reopened: with a 10-minute resync only a lifecycle event brings it back this fast.
        String firstId = Virsh.ok("domid", domain);
        int consoleBefore = console().length();
        Virsh.ok("destroy", domain);
        long destroyed = System.nanoTime();
        daemon.await(vm + " running again from libvirt's event", Duration.ofSeconds(20),
                () -> running() && !Virsh.ok("domid", domain).equals(firstId));
        long repairedMs = (System.nanoTime() - destroyed) / 1_000_000;
        assertThat(repairedMs).as("repaired from the event, not the 10 min resync").isLessThan(15_000);
        // QEMU reopens the serial file when it starts (the new domain id means it has): truncated,
        // the new boot's lines replace the old ones; appended, they follow them. Either way wait
        // for this boot's marker line, so the disk is read below after the guest rewrote it.
        boolean truncated = console().length() < consoleBefore;
        daemon.await("guest booted again and rewrote its marker", BOOT, () -> {
            String c = console();
            return truncated ? c.contains("berth-guest: wrote disk vda") : c.split("berth-guest: wrote disk vda", -1).length == 3;
        });

        Aftermath.check("LibvirtdRestartDuringCreateIT", daemon, state, agent, Aftermath.Expect.vms(Set.of(vm), Set.of(vm)));
        System.out.printf("LibvirtdRestartDuringCreateIT: libvirtd back %d ms after the stop; %s running once %d ms later;"
                + " destroyed by hand, back in %d ms (events reconnected)%n", (backAt - stoppedAt) / 1_000_000, vm,
                (ran - backAt) / 1_000_000, repairedMs);
    }

    private boolean running() {
        return Virsh.run("domstate", domain).out().equals("running");
    }

    private String console() {
        try {
            return Files.readString(state.resolve("vms").resolve(vm).resolve("console.log"), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
