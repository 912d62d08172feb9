package io.berth.faults;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import io.berth.testing.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 7: the watched manifest directory is a mount (a small tmpfs holding three manifests);
 * it is unmounted under the running daemon — the mount point is then an empty directory, which
 * today reads as "no manifests" — and mounted again. Meanwhile nothing is deleted (the three
 * containers keep running, same ids, across resyncs), the daemon reports the directory as
 * unavailable, and after the remount everything is as before. Unmounted in cleanup whatever happens.
 */
class WatchedDirectoryUnmountIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-unmount-" + id;

    @TempDir
    Path tmp;
    @TempDir
    Path state;

    Path watched;
    boolean mounted;
    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
        if (mounted) {
            sh("umount", "-l", watched.toString());
        }
    }

    @Test
    void theWatchedDirectoryUnmountedAndRemountedDeletesNothingAndTheWorkloadsKeepRunning() throws Exception {
        watched = Files.createDirectories(tmp.resolve("manifests"));
        assertThat(sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", watched.toString()).exit()).isZero();
        mounted = true;
        Set<String> names = new TreeSet<>();
        for (int i = 1; i <= 3; i++) {
            String name = "fum-" + id + "-" + i;
            names.add(name);
            Files.writeString(watched.resolve(name + ".yaml"), Manifests.containerYaml(name, "50m", "32Mi", Manifests.SLEEP));
        }
        daemon = DaemonProcess.start(watched, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "1s"));
        daemon.await("three running", () -> running(names) == 3);
        Map<String, String> ids = ids(names);

        // Unmounted: the mount point is an empty directory of the parent file system.
        assertThat(sh("umount", "-l", watched.toString()).exit()).isZero();
        mounted = false;
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            assertThat(ids(names)).as("nothing deleted or recreated while the directory is unmounted").isEqualTo(ids);
            Thread.sleep(500);
        }
        String token = daemon.token();
        assertThat(daemon.get("/api/v1/events", token).body()).as("reported").contains("SourceUnavailable");

        // Mounted again (a new, empty tmpfs with the same files written back, as a restored share would be).
        assertThat(sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", watched.toString()).exit()).isZero();
        mounted = true;
        for (String name : names) {
            Files.writeString(watched.resolve(name + ".yaml"), Manifests.containerYaml(name, "50m", "32Mi", Manifests.SLEEP));
        }
        Thread.sleep(3000);
        assertThat(ids(names)).as("the same containers after the remount").isEqualTo(ids);
        assertThat(running(names)).isEqualTo(3);
        Aftermath.check("WatchedDirectoryUnmountIT", daemon, state, agent, Aftermath.Expect.containers(names));
    }

    private int running(Set<String> names) {
        String up = Docker.ok("ps", "--filter", "label=io.berth.agent=" + agent, "--format", "{{.Names}}");
        return (int) names.stream().filter(n -> up.lines().anyMatch(l -> l.equals("berth-" + n))).count();
    }

    private Map<String, String> ids(Set<String> names) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String n : names) {
            var r = Docker.run("inspect", "--format", "{{.Id}}", "berth-" + n);
            out.put(n, r.exit() == 0 ? r.out() : "(gone)");
        }
        return out;
    }

    private static Processes.Result sh(String... cmd) {
        return Processes.run(List.of(cmd), Map.of(), null, Duration.ofSeconds(30));
    }
}
