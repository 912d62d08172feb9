package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many hosts from one set of manifests: two agents on one machine, configured as two hosts (their
 * own agent names, so their own ownership marks), each reading the same manifests, run only what
 * is placed on them — by host name or by labels — and pruning on one never touches the other's.
 */
class PlacementIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String hostA = "e2e-host-a-" + id;
    final String hostB = "e2e-host-b-" + id;
    final String onA = "on-a-" + id;
    final String onB = "on-b-" + id;
    final String inEu = "in-eu-" + id;

    @TempDir
    Path checkoutA;
    @TempDir
    Path checkoutB;
    @TempDir
    Path stateA;
    @TempDir
    Path stateB;

    DaemonProcess a;
    DaemonProcess b;

    @AfterEach
    void stop() throws Exception {
        for (DaemonProcess d : new DaemonProcess[] {a, b}) {
            if (d != null) {
                d.close();
            }
        }
        Docker.removeAgentContainers(hostA);
        Docker.removeAgentContainers(hostB);
    }

    @Test
    void eachAgentRunsOnlyWhatIsPlacedOnItAndPrunesOnlyItsOwn() throws Exception {
        // The same files in both "checkouts", as two hosts would pull one repository.
        for (Path checkout : List.of(checkoutA, checkoutB)) {
            write(checkout, onA, "  placement: {host: " + hostA + "}\n");
            write(checkout, onB, "  placement: {host: " + hostB + "}\n");
            write(checkout, inEu, "  placement: {labels: {zone: eu}}\n");
        }
        a = DaemonProcess.start(checkoutA, stateA, hostA, Map.of());
        b = DaemonProcess.start(checkoutB, stateB, hostB, Map.of("BERTH_HOST_LABELS", "zone=eu,disk=ssd"));

        b.await("host b runs its own and the eu one", () -> running(onB, hostB) && running(inEu, hostB));
        a.await("host a runs its own", () -> running(onA, hostA));
        Thread.sleep(3000); // a resync later, still nothing else
        assertThat(names(hostA)).containsExactly("berth-" + onA);
        assertThat(names(hostB)).containsExactlyInAnyOrder("berth-" + onB, "berth-" + inEu);

        // Removed from host b's checkout: host b prunes it; host a's workload is untouched.
        Files.delete(checkoutB.resolve(onB + ".yaml"));
        b.await("host b pruned its workload", () -> !names(hostB).contains("berth-" + onB));
        assertThat(names(hostA)).containsExactly("berth-" + onA);
        assertThat(names(hostB)).containsExactly("berth-" + inEu);

        // Moving a workload to the other host: the old host removes its copy, the new one runs it.
        for (Path checkout : List.of(checkoutA, checkoutB)) {
            write(checkout, inEu, "  placement: {host: " + hostA + "}\n");
        }
        a.await("host a runs the moved workload", () -> running(inEu, hostA));
        b.await("host b removed its copy", () -> !names(hostB).contains("berth-" + inEu));

        // --local mode follows the same rule, with BERTH_HOST_NAME / BERTH_HOST_LABELS.
        Agent.Result plan = Agent.local(hostA).run(Map.of("BERTH_HOST_NAME", hostA), "plan", "-f", checkoutA.toString());
        assertThat(plan.out()).as(plan.toString()).contains(onB + ": placed on host " + hostB + ", not on this host (" + hostA
                + ") (skipped)");
    }

    private static void write(Path dir, String name, String placement) throws Exception {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, Manifests.containerYaml(name, "50m", "16Mi", Manifests.SLEEP) + placement);
        Files.move(tmp, dir.resolve(name + ".yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean running(String workload, String agent) {
        return Docker.run("ps", "--filter", "label=io.berth.agent=" + agent, "--filter", "name=^/berth-" + workload + "$",
                "--format", "{{.Names}}").out().strip().equals("berth-" + workload);
    }

    private static List<String> names(String agent) {
        return Docker.run("ps", "-a", "--filter", "label=io.berth.agent=" + agent, "--format", "{{.Names}}").out()
                .strip().lines().filter(l -> !l.isBlank()).toList();
    }
}
