package io.berth.faults;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks every fault scenario ends with, against the host itself (docker, virsh, qemu-img,
 * the state directory) and the daemon:
 * <ul>
 *   <li>no duplicate: one container or one domain per workload name of the test's agent;</li>
 *   <li>no orphan: no container or domain of the agent that no manifest declares, no qcow2
 *       overlay under {@code STATE/vms/} without its domain, no temp file ({@code *.tmp},
 *       {@code .tmp-*}, a {@code .seed*} directory) anywhere under the state directory;</li>
 *   <li>no data lost: each VM named in {@code markers} still has the guest-written marker at the
 *       start of its disk, read through the overlay's backing chain with {@code qemu-img dd};</li>
 *   <li>daemon healthy: the process is alive, {@code /q/health/ready} answers 200, and its log has
 *       no {@code Exception in thread}.</li>
 * </ul>
 */
final class Aftermath {

    /** What {@code deploy/guest/init.sh} writes at offset 0 of /dev/vda when booted with berth.write=1. */
    static final String MARKER = "berth-guest-was-here";

    /**
     * @param containers the container workloads the test's manifests declare (each must exist once)
     * @param vms        the VM workloads they declare (each must exist once, with its one overlay)
     * @param markers    the VMs whose guest wrote its marker: it must still be on the disk
     */
    record Expect(Set<String> containers, Set<String> vms, Set<String> markers) {
        static Expect containers(Set<String> names) {
            return new Expect(names, Set.of(), Set.of());
        }

        static Expect vms(Set<String> names, Set<String> markers) {
            return new Expect(Set.of(), names, markers);
        }
    }

    private Aftermath() {
    }

    static void check(String scenario, DaemonProcess daemon, Path state, String agent, Expect expect) throws Exception {
        // Daemon healthy.
        assertThat(daemon.process().isAlive()).as(scenario + ": daemon process alive").isTrue();
        daemon.await(scenario + ": daemon ready", Duration.ofSeconds(30), () -> daemon.status("/q/health/ready", null) == 200);
        assertThat(daemon.log()).as(scenario + ": daemon log").doesNotContain("Exception in thread");

        // Containers: one per declared name, none else.
        Map<String, List<String>> containers = containersByWorkload(agent);
        for (Map.Entry<String, List<String>> e : containers.entrySet()) {
            assertThat(e.getValue()).as(scenario + ": containers of workload " + e.getKey() + " (no duplicate)")
                    .containsExactly("berth-" + e.getKey());
        }
        assertThat(containers.keySet()).as(scenario + ": container workloads of agent " + agent + " (no orphan, none missing)")
                .containsExactlyInAnyOrderElementsOf(expect.containers());

        // Domains: one per declared VM, none else.
        Set<String> domains = domains(agent);
        assertThat(domains).as(scenario + ": domains of agent " + agent + " (no orphan, none missing)")
                .containsExactlyInAnyOrderElementsOf(expect.vms().stream().map(n -> "berth-" + n).toList());

        // Overlays: each under STATE/vms/NAME/ belongs to a domain of this agent; each VM has exactly one.
        Path vmsDir = state.resolve("vms");
        Map<String, List<Path>> overlays = new TreeMap<>();
        if (Files.isDirectory(vmsDir)) {
            try (Stream<Path> files = Files.walk(vmsDir)) {
                for (Path f : files.filter(p -> Files.isRegularFile(p) && isQcow2(p)).toList()) {
                    overlays.computeIfAbsent(vmsDir.relativize(f).getName(0).toString(), k -> new ArrayList<>()).add(f);
                }
            }
        }
        assertThat(overlays.keySet()).as(scenario + ": VMs with a qcow2 overlay under " + vmsDir + " (no overlay without its domain)")
                .containsExactlyInAnyOrderElementsOf(expect.vms());
        for (String vm : expect.vms()) {
            assertThat(overlays.get(vm)).as(scenario + ": overlays of " + vm + " (its disk present once)")
                    .containsExactly(vmsDir.resolve(vm).resolve("disk.qcow2"));
            assertThat(Virsh.ok("dumpxml", "berth-" + vm)).as(scenario + ": berth-" + vm + " uses its overlay")
                    .contains("<source file='" + vmsDir.resolve(vm).resolve("disk.qcow2") + "'");
        }

        // No temp file anywhere under the state directory.
        List<Path> temps;
        try (Stream<Path> files = Files.walk(state)) {
            temps = files.filter(Aftermath::isTemp).toList();
        }
        assertThat(temps).as(scenario + ": temp files left under " + state).isEmpty();

        // No data lost.
        for (String vm : expect.markers()) {
            assertThat(firstBytes(vmsDir.resolve(vm).resolve("disk.qcow2"), MARKER.length()))
                    .as(scenario + ": the guest's marker on " + vm + "'s disk").isEqualTo(MARKER);
        }
        System.out.println("Aftermath " + scenario + ": " + containers.size() + " containers, " + domains.size()
                + " domains, " + overlays.size() + " overlays, each once; no orphan, no temp file; "
                + expect.markers().size() + " guest markers intact; daemon alive and ready");
    }

    /** The agent's containers by their io.berth.name label, container names as listed. */
    static Map<String, List<String>> containersByWorkload(String agent) {
        String out = Docker.ok("ps", "-a", "--filter", "label=io.berth.agent=" + agent,
                "--format", "{{.Names}}|{{.Label \"io.berth.name\"}}");
        Map<String, List<String>> by = new TreeMap<>();
        for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.strip().split("\\|", -1);
            by.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[0]);
        }
        return by;
    }

    /** The names of the domains whose Berth metadata names this agent. */
    static Set<String> domains(String agent) {
        Set<String> out = new TreeSet<>();
        for (String name : Virsh.ok("list", "--all", "--name").split("\\s+")) {
            if (!name.startsWith("berth-")) {
                continue;
            }
            var xml = Virsh.run("dumpxml", name);
            if (xml.exit() == 0 && xml.out().contains("<berth:agent>" + agent + "</berth:agent>")) {
                out.add(name);
            }
        }
        return out;
    }

    static boolean isTemp(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".tmp") || n.startsWith(".tmp-") || (n.startsWith(".seed") && Files.isDirectory(p));
    }

    private static boolean isQcow2(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'Q' && magic[1] == 'F' && magic[2] == 'I' && (magic[3] & 0xff) == 0xfb;
        } catch (IOException e) {
            return p.getFileName().toString().endsWith(".qcow2");
        }
    }

    /** The guest-visible first bytes of a qcow2 disk, through its backing chain (shared lock: it may be running). */
    static String firstBytes(Path disk, int n) throws IOException {
        Path raw = Files.createTempFile("berth-fault-disk", ".raw");
        try {
            Processes.Result r = Processes.run(List.of("qemu-img", "dd", "-U", "-f", "qcow2", "-O", "raw", "bs=512",
                    "count=1", "if=" + disk, "of=" + raw), Map.of(), null, Duration.ofSeconds(60));
            assertThat(r.exit()).as("qemu-img dd " + disk + ": " + r.err()).isZero();
            byte[] bytes = Files.readAllBytes(raw);
            return new String(bytes, 0, Math.min(n, bytes.length), StandardCharsets.ISO_8859_1);
        } finally {
            Files.deleteIfExists(raw);
        }
    }
}
