package io.berth.faults;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 2: the host's dockerd stopped in the middle of the daemon applying a directory of 30
 * containers (after at least 10 creates, timed by Docker's own event stream), then started again
 * through deploy/host-setup.sh: afterwards exactly the 30 run, none twice, none left over, and
 * the daemon is ready. dockerd comes back in {@link #cleanUp} whatever happens.
 *
 * <p>It found a real bug (2 of 30 in one run): a start that races dockerd's shutdown can leave
 * containerd with a task dockerd no longer tracks, and every later start of that container fails
 * with "task ID: already exists". Berth now replaces such a container with a new one from the
 * same spec ({@code LeftoverTask}; the rule itself is unit-tested in ReconcilerTest).
 */
class DockerdRestartDuringApplyIT {

    static final int WORKLOADS = 30;
    static final int KILL_AFTER_CREATES = 10;

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-dockerd-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        HostDaemons.ensureDockerd();
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
    }

    @Test
    void dockerdStoppedMidApplyOfThirtyThenBackLeavesExactlyThirtyRunningNoneTwice() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_RESYNC_INTERVAL", "2s"));
        Set<String> names = new TreeSet<>();
        // Written aside and moved in at once: the daemon sees all 30 in one debounced change.
        Path staging = Files.createDirectories(state.resolve("staging"));
        for (int i = 1; i <= WORKLOADS; i++) {
            String name = "fdr-" + id + "-%02d".formatted(i);
            names.add(name);
            Files.writeString(staging.resolve(name + ".yaml"), Manifests.containerYaml(name, "50m", "32Mi", Manifests.SLEEP));
        }
        HostDaemons.awaitNoOtherTestRun("stopping dockerd");

        long since = System.currentTimeMillis() / 1000 - 1;
        Process events = new ProcessBuilder("docker", "events", "--since", Long.toString(since),
                "--filter", "type=container", "--filter", "event=create",
                "--filter", "label=io.berth.agent=" + agent, "--format", "{{.Actor.Attributes.name}}")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        AtomicInteger created = new AtomicInteger();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(events.getInputStream()))) {
                while (lines.readLine() != null) {
                    created.incrementAndGet();
                }
            } catch (IOException e) {
                // stream ends with dockerd
            }
        });
        long t0 = System.nanoTime();
        for (String name : names) {
            Files.move(staging.resolve(name + ".yaml"), manifests.resolve(name + ".yaml"));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (created.get() < KILL_AFTER_CREATES) {
            assertThat(System.nanoTime()).as("%d creates within 120 s: %s", KILL_AFTER_CREATES, daemon.log()).isLessThan(deadline);
            Thread.sleep(1);
        }
        int createsAtStop = created.get();
        int containersAtStop = Aftermath.containersByWorkload(agent).size();
        HostDaemons.stopDockerd();
        long stoppedAt = System.nanoTime();
        events.destroyForcibly();
        events.waitFor(10, TimeUnit.SECONDS);
        reader.join(5000);
        System.out.printf("DockerdRestartDuringApplyIT: dockerd stopped %d ms into the apply, after %d create events"
                + " (%d containers existed)%n", (stoppedAt - t0) / 1_000_000, createsAtStop, containersAtStop);
        assertThat(containersAtStop).as("dockerd stopped mid-apply").isBetween(1, WORKLOADS - 1);
        Thread.sleep(2000); // the daemon's creates fail meanwhile
        assertThat(daemon.process().isAlive()).as("daemon survives dockerd's absence").isTrue();

        HostDaemons.ensureDockerd();
        long backAt = System.nanoTime();
        daemon.await("exactly 30 running", Duration.ofSeconds(120), () -> runningCount(names) == WORKLOADS);
        long converged = System.nanoTime();
        Thread.sleep(4000); // two resyncs later: still exactly these
        assertThat(runningCount(names)).as("all 30 still running").isEqualTo(WORKLOADS);
        Aftermath.check("DockerdRestartDuringApplyIT", daemon, state, agent, Aftermath.Expect.containers(names));
        System.out.printf("DockerdRestartDuringApplyIT: dockerd back %d ms after the stop; 30 running, each once, %d ms"
                + " after dockerd answered%n", (backAt - stoppedAt) / 1_000_000, (converged - backAt) / 1_000_000);
    }

    private int runningCount(Set<String> names) {
        Map<String, List<String>> by = Aftermath.containersByWorkload(agent);
        String running = Docker.ok("ps", "--filter", "label=io.berth.agent=" + agent, "--format", "{{.Names}}");
        Set<String> up = new TreeSet<>(running.lines().toList());
        int n = 0;
        for (String name : names) {
            if (by.getOrDefault(name, List.of()).size() == 1 && up.contains("berth-" + name)) {
                n++;
            }
        }
        return n;
    }
}
