package io.berth.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
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
 * Scenario 4: the state directory's file system full. The daemon's state directory is a 64 MiB
 * ext4 loop mount; a container is applied through the API (recorded under STATE/sources/), the
 * file system is filled, and a change is applied: Berth answers an error that names the cause
 * (ENOSPC), not a 500, logs it, keeps running and ready, leaves the recorded source exactly as it
 * was and no temp file behind, and changes nothing on the host. Once space is freed, the same
 * apply works. Unmounted in {@link #cleanUp} whatever happens.
 */
class StateDiskFullIT {

    static final ObjectMapper JSON = new ObjectMapper();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-full-" + id;
    final String web = "ffull-" + id;
    final String source = "fault-full-" + id;

    @TempDir
    Path tmp;
    @TempDir
    Path manifests;

    Path mount;
    boolean mounted;
    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
        if (mounted) {
            Processes.Result r = sh("umount", mount.toString());
            if (r.exit() != 0) {
                sh("umount", "-l", mount.toString());
            }
        }
    }

    @Test
    void aFullStateFileSystemIsReportedAsSuchNothingIsHalfWrittenAndTheNextApplyAfterFreeingSpaceWorks() throws Exception {
        Path img = tmp.resolve("state.img");
        mount = Files.createDirectories(tmp.resolve("state"));
        assertThat(sh("truncate", "-s", "64M", img.toString()).exit()).isZero();
        assertThat(sh("mkfs.ext4", "-q", "-F", img.toString()).exit()).isZero();
        Processes.Result m = sh("mount", "-o", "loop", img.toString(), mount.toString());
        assertThat(m.exit()).as("mount -o loop: " + m.err()).isZero();
        mounted = true;

        daemon = DaemonProcess.start(manifests, mount, tmp.resolve("daemon.log"), agent, Map.of());
        String token = daemon.token();
        HttpResponse<String> first = apply(token, "1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String container = "berth-" + web;
        daemon.await(web + " running with MODE=1", () -> env(container).contains("MODE=1")
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        String containerId = Docker.inspect(container, "{{.Id}}");
        Path recorded;
        try (Stream<Path> files = Files.list(mount.resolve("sources"))) {
            recorded = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        byte[] before = Files.readAllBytes(recorded);

        // Fill it up: until ENOSPC, as root (who may use ext4's reserved blocks, as the daemon may).
        Processes.Result fill = sh("dd", "if=/dev/zero", "of=" + mount.resolve("fill"), "bs=64k");
        assertThat(fill.err()).as("the file system is full").contains("No space left on device");
        fillUp(mount);
        String df = sh("df", "-B1", "--output=avail", mount.toString()).out().strip().lines().toList().getLast().strip();

        HttpResponse<String> full = apply(token, "2");
        System.out.println("StateDiskFullIT: state file system full (" + df + " bytes available); apply answered HTTP "
                + full.statusCode() + ": " + full.body().strip().replace('\n', ' '));
        assertThat(full.statusCode()).as("an error, and not an internal one: " + full.body()).isNotEqualTo(200).isNotEqualTo(500);
        JsonNode error = JSON.readTree(full.body());
        assertThat(error.path("error").asText()).as("the error names the cause").contains("No space left on device")
                .contains(mount.resolve("sources").toString());
        assertThat(full.body()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(daemon.log()).as("logged").contains("No space left on device");
        assertThat(daemon.process().isAlive()).isTrue();
        assertThat(daemon.status("/q/health/ready", null)).as("still ready").isEqualTo(200);
        assertThat(Files.readAllBytes(recorded)).as("the recorded source is the previous one, whole").isEqualTo(before);
        assertThat(JSON.readTree(recorded.toFile()).path("workloads").get(0).path("metadata").path("name").asText())
                .as("and parseable").isEqualTo(web);
        try (Stream<Path> files = Files.walk(mount)) {
            assertThat(files.filter(Aftermath::isTemp).toList()).as("no temp file left on the full file system").isEmpty();
        }
        Thread.sleep(2500); // a resync later: nothing on the host changed either
        assertThat(Docker.inspect(container, "{{.Id}}")).as("the container was not touched").isEqualTo(containerId);
        assertThat(env(container)).contains("MODE=1");

        // Space again: the same apply works.
        try (Stream<Path> fills = Files.list(mount)) {
            for (Path f : fills.filter(p -> p.getFileName().toString().startsWith("fill")).toList()) {
                Files.delete(f);
            }
        }
        HttpResponse<String> again = apply(token, "2");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        daemon.await(web + " recreated with MODE=2", () -> env(container).contains("MODE=2")
                && Docker.inspect(container, "{{.State.Status}}").equals("running"));
        assertThat(JSON.readTree(recorded.toFile()).toString()).as("the new source recorded").contains("\"2\"");
        Aftermath.check("StateDiskFullIT", daemon, mount, agent, Aftermath.Expect.containers(Set.of(web)));
        System.out.println("StateDiskFullIT: after freeing space the apply worked (HTTP " + again.statusCode()
                + "), " + web + " runs with MODE=2");
    }

    /**
     * After dd's ENOSPC, ext4 can still place a small file (blocks a failed delayed allocation
     * gave back, the reserve for metadata): fill those too, with small synced files, until even a
     * 2 KiB file (the size of a recorded source) cannot be written and synced.
     */
    private static void fillUp(Path fs) throws Exception {
        for (int i = 0; i < 200; i++) {
            Path f = fs.resolve("fill-" + i);
            try (var out = new java.io.FileOutputStream(f.toFile())) {
                byte[] k = new byte[1024];
                while (true) {
                    out.write(k);
                    out.getFD().sync();
                }
            } catch (java.io.IOException full) {
                // this one is as full as it gets
            }
            try (var out = new java.io.FileOutputStream(fs.resolve("probe").toFile())) {
                out.write(new byte[2048]);
                out.getFD().sync();
            } catch (java.io.IOException e) {
                Files.move(fs.resolve("probe"), fs.resolve("fill-probe-" + i)); // what it got stays taken
                return;
            }
            Files.move(fs.resolve("probe"), fs.resolve("fill-probe-" + i));
        }
        throw new AssertionError("cannot fill " + fs);
    }

    private HttpResponse<String> apply(String token, String mode) {
        return daemon.post("/api/v1/apply?source=" + source, token, "application/yaml", """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources: {limits: {cpu: 50m, memory: 32Mi}}
                  image: berth/busybox:1
                  env: [{name: MODE, value: "%s"}]
                  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(web, mode));
    }

    private static String env(String container) {
        return Docker.inspect(container, "{{json .Config.Env}}");
    }

    private static Processes.Result sh(String... cmd) {
        return Processes.run(List.of(cmd), Map.of(), null, Duration.ofSeconds(60));
    }
}
