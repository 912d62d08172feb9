package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12 against the real daemon, Docker and libvirtd: a watched directory whose filesystem is
 * unmounted (or that is moved away) deletes nothing and its workloads keep running, the same
 * containers when it is back; and a VM whose start fails is not retried in a loop by the events its
 * own failed attempts cause.
 */
class SourcesSafetyIT {

    static final ObjectMapper JSON = new ObjectMapper();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-src-" + id;

    @TempDir
    Path tmp;

    DaemonProcess daemon;
    Path mounted;
    final List<Path> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (mounted != null) {
            sh("umount", "-l", mounted.toString());
        }
        Docker.removeAgentContainers(agent);
        Virsh.removeAgentDomains(agent);
        for (Path p : cleanup) {
            if (Files.exists(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    static int sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    List<JsonNode> events() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JsonNode all = JSON.readTree(daemon.get("/api/v1/events", daemon.token()).body());
        (all.isArray() ? all : all.path("events")).forEach(out::add);
        return out;
    }

    long count(String type) throws Exception {
        return events().stream().filter(e -> e.path("type").asText().equals(type)).count();
    }

    @Test
    void anUnmountedOrMovedWatchedDirectoryDeletesNothingAndTheSameContainersRunWhenItIsBack() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        assertThat(sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString())).as("mount (needs root)").isZero();
        mounted = dir;
        String web = "srcweb-" + id;
        String yaml = Manifests.containerYaml(web, "100m", "32Mi", Manifests.SLEEP);
        Files.writeString(dir.resolve("web.yaml"), yaml);
        daemon = DaemonProcess.start(dir, Files.createDirectories(tmp.resolve("state")), agent, Map.of("BERTH_RESYNC_INTERVAL", "1s"));
        String container = "berth-" + web;
        daemon.await("container running", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        String before = Docker.inspect(container, "{{.Id}}");

        // The filesystem goes away: what is left is the empty mount point on the parent's filesystem.
        assertThat(sh("umount", dir.toString())).isZero();
        mounted = null;
        daemon.await("reported", () -> {
            try {
                return count("SourceUnavailable") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(6000); // six resyncs and rescans
        assertThat(Docker.inspect(container, "{{.Id}}")).as("nothing deleted").isEqualTo(before);
        assertThat(Docker.inspect(container, "{{.State.Status}}")).isEqualTo("running");
        assertThat(count("SourceUnavailable")).as("once, not at every rescan").isEqualTo(1);
        assertThat(count("Deleted")).isZero();
        assertThat(daemon.log()).contains("WARN", "looks unmounted", "nothing is pruned");
        var ready = daemon.get("/q/health/ready", null);
        assertThat(ready.statusCode()).as("still ready: the last good set is kept matching").isEqualTo(200);
        assertThat(ready.body()).contains("manifestDirectory", "looks unmounted");

        // Back: mounted again with the same manifest (filled first, then moved into place: a real
        // filesystem comes back with its files). The same container, not a new one.
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        assertThat(sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", staging.toString())).isZero();
        mounted = staging;
        Files.writeString(staging.resolve("web.yaml"), yaml);
        assertThat(sh("mount", "--move", staging.toString(), dir.toString())).isZero();
        mounted = dir;
        daemon.await("back", () -> {
            try {
                return count("SourceAvailable") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(3000);
        assertThat(Docker.inspect(container, "{{.Id}}")).as("the same container throughout").isEqualTo(before);
        assertThat(count("Deleted") + count("Created")).as("only the first create").isEqualTo(1);
        assertThat(count("PrunedAll")).isZero();
    }

    @Test
    void aWatchedDirectoryMovedAwayDeletesNothingAndMovedBackChangesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        String web = "srcmv-" + id;
        Files.writeString(dir.resolve("web.yaml"), Manifests.containerYaml(web, "100m", "32Mi", Manifests.SLEEP));
        daemon = DaemonProcess.start(dir, Files.createDirectories(tmp.resolve("state")), agent, Map.of("BERTH_RESYNC_INTERVAL", "1s"));
        String container = "berth-" + web;
        daemon.await("container running", () -> Docker.run("inspect", container).exit() == 0
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        String before = Docker.inspect(container, "{{.Id}}");

        Path away = tmp.resolve("manifests.old");
        Files.move(dir, away); // a config tool replacing it, an operator's mv
        Thread.sleep(5000);
        assertThat(Docker.inspect(container, "{{.Id}}")).isEqualTo(before);
        assertThat(count("SourceUnavailable")).isEqualTo(1);
        Files.move(away, dir);
        daemon.await("back", () -> {
            try {
                return count("SourceAvailable") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(3000);
        assertThat(Docker.inspect(container, "{{.Id}}")).as("the same container").isEqualTo(before);
        assertThat(count("Deleted")).isZero();

        // An existing directory emptied on purpose still prunes, with a warning.
        Files.delete(dir.resolve("web.yaml"));
        daemon.await("pruned", () -> Docker.run("inspect", container).exit() != 0);
        assertThat(count("PrunedAll")).isEqualTo(1);
    }

    @Test
    void aVmWhoseStartFailsIsAttemptedAFewTimesInItsFirstMinuteNotThousands() throws Exception {
        // A "kernel" that passes validation (a file under the image directory) but that QEMU
        // cannot boot with an initrd: the domain is defined, its start fails, it is undefined
        // again — and each of those is a libvirt event naming the workload.
        Path kernel = Path.of("/var/lib/berth/images/e2e-bad-kernel-" + id);
        byte[] junk = new byte[64 * 1024];
        new Random(1).nextBytes(junk);
        Files.write(kernel, junk);
        cleanup.add(kernel);
        Path state = Virsh.stateDir("sources-safety");
        cleanup.add(state);
        Path dir = Files.createDirectories(tmp.resolve("vm-manifests"));
        String vm = "srcvm-" + id;
        daemon = DaemonProcess.start(dir, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "1s"));
        Files.writeString(dir.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", "")
                .replace("/var/lib/berth/images/vmlinuz", kernel.toString()));

        daemon.await("the first failed start", () -> {
            try {
                return failures(vm).size() >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        Instant first = failures(vm).getFirst();
        Thread.sleep(Duration.between(Instant.now(), first.plusSeconds(60)).toMillis());
        List<Instant> attempts = failures(vm).stream().filter(t -> t.isBefore(first.plusSeconds(60))).toList();
        System.out.println("SourcesSafetyIT: " + attempts.size() + " failed start attempts of " + vm
                + " in its first minute: " + attempts);
        // Back-off 0.2 s doubling to 30 s: 9 attempts at most in a minute, whatever the events and resyncs.
        assertThat(attempts.size()).isBetween(2, 9);
        assertThat(events().stream().filter(e -> e.path("name").asText().equals(vm)).findFirst().orElseThrow()
                .path("message").asText()).as("the failure is named").isNotBlank();
    }

    /** When each failed attempt of {@code vm} was recorded (the daemon's "Failed" events). */
    List<Instant> failures(String vm) throws Exception {
        return events().stream().filter(e -> e.path("name").asText().equals(vm) && e.path("type").asText().equals("Failed"))
                .map(e -> e.path("at").isNumber() ? Instant.ofEpochMilli((long) (e.path("at").asDouble() * 1000))
                        : Instant.parse(e.path("at").asText()))
                .sorted().toList();
    }
}
