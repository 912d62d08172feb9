package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Guest;
import io.berth.testing.Manifests;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A VM's data through the daemon, end to end against libvirtd (CONTRACT §6.1): a shut-off VM's
 * disk grows with {@code qemu-img resize} before it starts again; pruning it keeps the disk under
 * {@code STATE/deleted/}; {@code POST /api/v1/restore} puts that very file back and the re-declared
 * VM boots with it; and only the retention sweep removes kept data, after
 * {@code berth.retention.deleted}, with a {@code KeptDataRemoved} event.
 */
class KeptDataIT {

    static final Duration BOOT = Duration.ofSeconds(180);
    static final String MARKER = "berth-guest-was-here";
    static final ObjectMapper JSON = new ObjectMapper();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-kept-" + id;
    final String vm = "kept-" + id;
    final String domain = "berth-" + vm;
    final Path state = Virsh.stateDir("e2e-kept");

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

    private Path manifest() {
        return manifests.resolve(vm + ".yaml");
    }

    private void declare(String size, String cmdline) throws IOException {
        Files.writeString(manifest(), Manifests.tinyVmYaml(vm, "0.5", "128Mi", cmdline, size));
    }

    @Test
    void aStoppedVmsDiskGrowsAPrunedVmsDiskIsKeptRestoredThroughTheApiAndSweptOnlyAfterItsRetention() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "2s",
                "BERTH_RETENTION_DELETED", "15s"));
        String token = daemon.token();
        declare("64Mi", "berth.write=1");
        Path console = state.resolve("vms").resolve(vm).resolve("console.log");
        daemon.await(vm + " wrote its marker", BOOT, () -> Files.exists(console) && read(console).contains("berth-guest: wrote disk vda"));
        Guest.awaitConsole(console, "berth-guest: ready");

        // Shut down while the daemon is away (with it, a stopped VM is drift and started again at
        // once), declared with a larger disk: the disk grows offline (qemu-img), then the VM starts.
        daemon.close();
        assertThat(Virsh.run("shutdown", domain).exit()).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!"shut off".equals(Virsh.run("domstate", domain).out().strip())) {
            assertThat(System.nanoTime()).as(vm + " shut off within 90 s").isLessThan(deadline);
            Thread.sleep(500);
        }
        Object inode = fileKey(disk());
        declare("128Mi", "");
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "2s",
                "BERTH_RETENTION_DELETED", "15s"));
        Guest.awaitConsole(console, "berth-guest: disk vda size=134217728");
        assertThat(virtualSize(disk())).isEqualTo(128L << 20);
        assertThat(fileKey(disk())).as("the same disk file, grown").isEqualTo(inode);
        assertThat(Guest.firstBytes(disk())).as("the guest's data").startsWith(MARKER);
        assertThat(plannedChanges(token)).as("the recorded spec follows the grown disk").isZero();

        // Pruned: the disk is moved aside, never deleted.
        Files.delete(manifest());
        Path keptRoot = state.resolve("deleted").resolve(vm);
        daemon.await("the domain pruned and its disk kept", Duration.ofSeconds(60),
                () -> Virsh.run("domstate", domain).exit() != 0 && kept(keptRoot).size() == 1);
        Path kept = kept(keptRoot).getFirst().resolve("disk.qcow2");
        assertThat(fileKey(kept)).as("moved, not copied").isEqualTo(inode);
        assertThat(Files.exists(disk())).isFalse();

        // Restored through the API: that very file is the VM's disk again.
        HttpResponse<String> restored = daemon.post("/api/v1/restore?name=" + vm + "&deleted=true", token, "application/json", "");
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        assertThat(restored.body()).contains(vm);
        assertThat(fileKey(disk())).as("the kept file put back").isEqualTo(inode);
        HttpResponse<String> again = daemon.post("/api/v1/restore?name=" + vm + "&deleted=true", token, "application/json", "");
        assertThat(again.statusCode()).as("nothing left to restore: " + again.body()).isBetween(400, 499);

        // Declared again: it boots with its data (the marker is not written this time).
        declare("128Mi", "");
        Files.deleteIfExists(console);
        daemon.await(vm + " running again", BOOT, () -> "running".equals(Virsh.run("domstate", domain).out().strip()));
        Guest.awaitConsole(console, "berth-guest: disk vda size=134217728");
        assertThat(fileKey(disk())).as("booted with the restored disk").isEqualTo(inode);

        // Pruned again, then swept after the retention (15 s): only now is the data gone, with an event.
        Files.delete(manifest());
        daemon.await("kept again", Duration.ofSeconds(60), () -> kept(keptRoot).size() == 1);
        assertThat(Guest.firstBytes(kept(keptRoot).getFirst().resolve("disk.qcow2"))).startsWith(MARKER);
        Thread.sleep(5000);
        assertThat(kept(keptRoot)).as("still kept well within its retention").hasSize(1);
        daemon.await("swept after berth.retention.deleted", Duration.ofSeconds(60), () -> kept(keptRoot).isEmpty());
        JsonNode events = JSON.readTree(daemon.get("/api/v1/events", token).body());
        assertThat(events.findValuesAsText("type")).contains("KeptDataRemoved");
        assertThat(daemon.log()).contains(vm + ": removed the disk of deleted " + vm);
    }

    /** The daemon's plan for the manifest as it is now: whether anything would change. */
    private long plannedChanges(String token) throws Exception {
        HttpResponse<String> r = daemon.post("/api/v1/plan", token, "application/yaml", Files.readString(manifest()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode plan = JSON.readTree(r.body());
        return plan.path("changes").asBoolean() ? plan.path("actions").size() : 0;
    }

    private static List<Path> kept(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.exists(p.resolve("disk.qcow2"))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    private static long virtualSize(Path disk) {
        try {
            Processes.Result r = Processes.run(List.of("qemu-img", "info", "-U", "--output=json", disk.toString()),
                    Map.of(), null, Duration.ofSeconds(30));
            return r.exit() == 0 ? JSON.readTree(r.out()).path("virtual-size").asLong() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
