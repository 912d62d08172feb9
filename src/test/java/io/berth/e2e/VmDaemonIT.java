package io.berth.e2e;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Agent;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

    /**
     * {@code agent snapshot} through the daemon: create, restore and delete answer as in local mode
     * and are events; during the restore the loop holds off (no drift found, nothing failed), the
     * VM runs again afterwards; an unknown workload is a 404 and exit 1.
     */
    @Test
    void snapshotsGoThroughTheDaemonWhichHoldsTheNameAndRecordsEvents() throws Exception {
        Files.writeString(manifests.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", ""));
        daemon.await("VM running", BOOT, this::running);
        Agent client = new Agent(agent);
        Map<String, String> env = daemon.clientEnv();

        Agent.Result create = client.run(env, "snapshot", "create", vm, "first");
        assertThat(create.exit()).as(create.toString()).isZero();
        assertThat(create.out()).contains(vm + ": snapshot first created");
        Agent.Result restore = client.run(env, "snapshot", "restore", vm, "first", "--grace-period", "1", "-o", "json");
        assertThat(restore.exit()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("\"action\" : \"restored\"", "before-restore-");
        assertThat(running()).as("running again right after the restore").isTrue();
        Agent.Result list = client.run(env, "snapshot", "list");
        assertThat(list.out()).as(list.toString()).contains("first", "before-restore-", vm);
        String kept = list.out().lines().filter(l -> l.startsWith("before-restore-")).findFirst().orElseThrow().split("\\s+")[0];
        Agent.Result delete = client.run(env, "snapshot", "delete", vm, kept);
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains("removed its layer");

        List<String> types = new ArrayList<>();
        new ObjectMapper().readTree(daemon.get("/api/v1/events", daemon.token()).body()).forEach(e -> {
            if (vm.equals(e.path("name").asText())) {
                types.add(e.get("type").asText());
            }
        });
        assertThat(types).contains("SnapshotCreated", "SnapshotRestored", "SnapshotDeleted");
        assertThat(types.subList(types.indexOf("SnapshotCreated"), types.size())).as("the loop held off during the restore: " + types)
                .doesNotContain("DriftDetected", "Started", "Failed");
        assertThat(daemon.status("/api/v1/workloads/nothing-here/snapshots", daemon.token())).isEqualTo(404);
        Agent.Result none = client.run(env, "snapshot", "create", "nothing-here");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("nothing-here: no workload of that name is managed here");
    }

    /**
     * {@code spec.snapshots} through the daemon: every minute a scheduled snapshot, and with
     * {@code keep: 1} the older scheduled one is deleted when the next is made — the manual one stays.
     */
    @Test
    void scheduledSnapshotsAreTakenWhenDueAndKeepRemovesOnlyOlderScheduledOnes() throws Exception {
        Files.writeString(manifests.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", "")
                + "  snapshots: {schedule: \"* * * * *\", keep: 1}\n");
        daemon.await("VM running", BOOT, this::running);
        Agent client = new Agent(agent);
        Map<String, String> env = daemon.clientEnv();
        Agent.Result mine = client.run(env, "snapshot", "create", vm, "mine");
        assertThat(mine.exit()).as(mine.toString()).isZero();

        String[] first = new String[1];
        daemon.await("a scheduled snapshot", Duration.ofSeconds(90), () -> {
            first[0] = scheduled().stream().findFirst().orElse(null);
            return first[0] != null;
        });
        daemon.await("the next scheduled snapshot, the first one deleted (keep 1)", Duration.ofSeconds(90),
                () -> {
                    List<String> now = scheduled();
                    return now.size() == 1 && !now.contains(first[0]);
                });
        Agent.Result list = client.run(env, "snapshot", "list", vm);
        assertThat(list.out()).as("the manual snapshot is never removed by keep").contains("mine", "manual", "scheduled");
        Agent.Result describe = client.run(env, "describe", vm);
        assertThat(describe.out()).as(describe.toString()).contains("snapshots:", "keep: 1", "Snapshots:", "mine", "scheduled");

        List<String> messages = new ArrayList<>();
        new ObjectMapper().readTree(daemon.get("/api/v1/events", daemon.token()).body()).forEach(e -> {
            if (vm.equals(e.path("name").asText())) {
                messages.add(e.get("type").asText() + ": " + e.path("message").asText());
            }
        });
        // The metrics (families in MetricsArtifactsTest.SNAPSHOT_FAMILIES): one manual, one scheduled, on time.
        String of = "\\{[^}]*name=\"" + vm + "\"[^}]*\\} ";
        List<java.util.regex.Pattern> expected = List.of(
                java.util.regex.Pattern.compile("berth_workload_snapshots\\{[^}]*made_by=\"manual\"[^}]*name=\"" + vm + "\"[^}]*\\} 1(\\.0)?\n"),
                java.util.regex.Pattern.compile("berth_workload_snapshots\\{[^}]*made_by=\"scheduled\"[^}]*name=\"" + vm + "\"[^}]*\\} 1(\\.0)?\n"),
                java.util.regex.Pattern.compile("berth_workload_snapshot_overdue_seconds" + of + "0(\\.0)?\n"),
                java.util.regex.Pattern.compile("berth_workload_snapshots_size_bytes" + of + "[1-9][0-9.E]*\n"));
        String[] metrics = new String[1];
        String token = daemon.token();
        // Updated at the end of the timer's look that made the snapshot: at most one look (10 s) behind.
        daemon.await("snapshot metrics", Duration.ofSeconds(20), () -> {
            metrics[0] = daemon.get("/q/metrics", token).body();
            return expected.stream().allMatch(p -> p.matcher(metrics[0]).find());
        });
        assertThat(messages).as(messages.toString())
                .anyMatch(m -> m.startsWith("SnapshotCreated: scheduled snapshot " + first[0] + " created (schedule * * * * *, keep 1)"))
                .anyMatch(m -> m.startsWith("SnapshotDeleted: scheduled snapshot " + first[0] + " deleted: more than keep 1"));
    }

    /** The names of the VM's scheduled snapshots, as the daemon's API lists them. */
    private List<String> scheduled() {
        List<String> names = new ArrayList<>();
        try {
            new ObjectMapper().readTree(daemon.get("/api/v1/workloads/" + vm + "/snapshots", daemon.token()).body()).forEach(n -> {
                if ("scheduled".equals(n.path("madeBy").asText())) {
                    names.add(n.get("name").asText());
                }
            });
            Thread.sleep(800);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return names;
    }

    private boolean running() {
        return Virsh.run("domstate", domain).out().equals("running");
    }
}
