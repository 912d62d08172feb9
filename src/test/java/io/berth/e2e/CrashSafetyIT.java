package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash safety of {@code agent apply}: SIGKILL of the real {@code ./agent} in the middle of applying
 * 30 workloads, then running the same apply again, leaves exactly the 30 declared containers — no
 * duplicates, no leftovers, all running — in 10 of 10 trials, with the kill landing at a different
 * stage of the apply in each trial.
 *
 * <p>The kill is triggered by Docker's create events, but dockerd finishes create requests already
 * in flight when the client dies, so the containers found right after the kill can outnumber the
 * creates seen before it (with the default parallelism of 16, a kill after the first create still
 * leaves 16 created, never-started containers — the case a re-apply must start, not duplicate).
 */
class CrashSafetyIT {

    static final int WORKLOADS = 30;
    static final int TRIALS = 10;

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-crash-" + id);

    @TempDir
    Path tmp;

    private Process running;

    @AfterEach
    void cleanUp() {
        if (running != null && running.isAlive()) {
            kill(running);
        }
        Docker.removeAgentContainers(agent.name());
    }

    /** What one trial saw, for the summary lines and the mid-apply count. */
    record Trial(int number, int target, int eventsAtKill, int atKill, int runningAtKill, boolean finishedFirst) {
        boolean killedMidApply() {
            return !finishedFirst && atKill >= 1 && atKill < WORKLOADS;
        }

        @Override
        public String toString() {
            return "trial " + number + ": kill target >= " + target + ", "
                    + (finishedFirst ? "apply finished before the kill" : "killed after " + eventsAtKill + " create events")
                    + ", containers right after the kill: " + atKill + " (" + runningAtKill + " running, "
                    + (atKill - runningAtKill) + " created only)";
        }
    }

    @Test
    void killMinusNineDuringApplyThenReapplyLeavesExactlyTheDeclaredContainers() throws Exception {
        trials(false);
    }

    /** The same with {@code agent serve} applying a directory of 30: killed, restarted, exactly 30. */
    @Test
    void killMinusNineOfTheDaemonDuringItsApplyThenRestartLeavesExactlyTheDeclaredContainers() throws Exception {
        trials(true);
    }

    private void trials(boolean daemon) throws Exception {
        List<Trial> trials = new ArrayList<>();
        for (int t = 1; t <= TRIALS; t++) {
            Trial trial = runTrial(t, daemon);
            trials.add(trial);
            System.out.println("CrashSafetyIT " + (daemon ? "daemon " : "apply ") + trial + " -> restart OK: " + WORKLOADS
                    + " containers, each once, all running, none left over");
        }
        long midApply = trials.stream().filter(Trial::killedMidApply).count();
        System.out.println("CrashSafetyIT: " + midApply + " of " + TRIALS + " trials killed mid-apply");
        assertThat(midApply).as("trials whose kill landed mid-apply (1..29 containers existed): " + trials)
                .isGreaterThanOrEqualTo(7);
    }

    private Trial runTrial(int t, boolean daemon) throws Exception {
        String prefix = "crash-" + id + "-" + (daemon ? "d" : "a") + t + "-";
        Path dir = Files.createDirectories(tmp.resolve("trial-" + prefix));
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= WORKLOADS; i++) {
            String name = prefix + "%02d".formatted(i);
            names.add(name);
            Files.writeString(dir.resolve(name + ".yaml"), manifest(name));
        }
        // Spread the kill points over the apply: at least 1, 4, 7, ... 28 containers created.
        int target = 1 + (t - 1) * 3;

        Path state = Files.createDirectories(tmp.resolve("state-" + prefix));
        List<String> command = daemon
                ? List.of(Agent.root().resolve("agent").toString(), "serve", "--manifests", dir.toString(), "--state-dir",
                        state.toString(), "--listen", "127.0.0.1:0", "--agent-name", agent.name())
                : List.of(Agent.root().resolve("agent").toString(), "apply", "--local", "-f", dir.toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(Agent.root().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("trial-" + t + ".out").toFile())
                .redirectError(tmp.resolve("trial-" + t + ".err").toFile());
        pb.environment().put("BERTH_AGENT_NAME", agent.name());
        // Docker's event stream (replayed from just before the start, so nothing is missed) says
        // within milliseconds when the Nth container of this trial was created; polling docker ps
        // is too slow to catch the first parallel batch of creates.
        long since = System.currentTimeMillis() / 1000 - 1;
        Process events = new ProcessBuilder("docker", "events", "--since", Long.toString(since),
                "--filter", "type=container", "--filter", "event=create",
                "--filter", "label=io.berth.agent=" + agent.name(), "--format", "{{.Actor.Attributes.name}}")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        AtomicInteger created = new AtomicInteger();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(events.getInputStream()))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.strip().startsWith("berth-" + prefix)) {
                        created.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // stream closed when the events process is stopped
            }
        });

        running = pb.start();
        boolean finishedFirst = false;
        int eventsAtKill = -1;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (created.get() < target) {
                if (!running.isAlive()) {
                    finishedFirst = true;
                    break;
                }
                assertThat(System.nanoTime()).as("apply created %d of %d containers in 120 s; %s", created.get(), target,
                        Files.readString(tmp.resolve("trial-" + t + ".err"))).isLessThan(deadline);
                Thread.sleep(1);
            }
            if (running.isAlive()) {
                eventsAtKill = created.get();
                // 137 = died of SIGKILL; anything else means the apply ended on its own first.
                finishedFirst = kill(running) != 137;
            } else {
                finishedFirst = true;
            }
        } finally {
            events.destroyForcibly();
            events.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        running = null;
        Map<String, String> atKill = trialContainers(prefix);
        int runningAtKill = (int) atKill.values().stream().filter(s -> s.equals("running")).count();
        Trial trial = new Trial(t, target, eventsAtKill, atKill.size(), runningAtKill, finishedFirst);

        if (daemon) {
            // Restart the daemon: it relists, adopts what is its own, starts the created-only ones.
            try (DaemonProcess again = DaemonProcess.start(dir, state, agent.name(), Map.of())) {
                again.await(trial + ": converged after the restart", () -> {
                    assertExactly(prefix, names, trial + " (daemon restarted)");
                    return true;
                });
                Thread.sleep(3000); // a resync (2 s) later: still exactly these
                assertExactly(prefix, names, trial + " (daemon restarted, a resync later)");
            }
            removeTrialContainers(prefix);
            return trial;
        }
        // Restart: the same apply, to completion.
        Agent.Result reapply = agent.run("apply", "-f", dir.toString());
        assertThat(reapply.exit()).as(trial + "\n" + reapply).isZero();
        assertExactly(prefix, names, trial + "\n" + reapply);

        Agent.Result again = agent.run("apply", "-f", dir.toString());
        assertThat(again.exit()).as(trial + "\n" + again).isZero();
        assertThat(again.out()).as(trial + "\n" + again).contains("Apply complete: " + WORKLOADS + " unchanged.");
        assertExactly(prefix, names, trial + " (after the second re-apply)");

        removeTrialContainers(prefix);
        return trial;
    }

    private static String manifest(String name) {
        return Manifests.containerYaml(name, "50m", "32Mi", Manifests.SLEEP); // 30 x 50m fit a 2-core host's admission
    }

    /** SIGKILL to the launcher (after its exec, the JVM) and anything it started, then reaped. */
    private static int kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("killed agent exited").isTrue();
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** This agent's containers belonging to the trial (by container name), name → state. */
    private Map<String, String> trialContainers(String prefix) {
        String out = Docker.ok("ps", "-a", "--filter", "label=io.berth.agent=" + agent.name(),
                "--format", "{{.Names}} {{.State}}");
        Map<String, String> found = new HashMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.strip().split(" ");
            if (f[0].startsWith("berth-" + prefix)) {
                found.put(f[0], f.length > 1 ? f[1] : "");
            }
        }
        return found;
    }

    /**
     * Exactly the declared 30: every container of this agent whose name or io.berth.name label
     * belongs to the trial is one of the declared names, each exactly once, running and managed.
     */
    private void assertExactly(String prefix, List<String> names, String context) {
        String ids = Docker.ok("ps", "-aq", "--filter", "label=io.berth.agent=" + agent.name());
        List<String> rows = new ArrayList<>();
        if (!ids.isBlank()) {
            List<String> cmd = new ArrayList<>(List.of("inspect", "--format",
                    "{{.Name}}|{{index .Config.Labels \"io.berth.name\"}}|{{.State.Running}}"
                            + "|{{index .Config.Labels \"io.berth.managed\"}}"));
            cmd.addAll(List.of(ids.split("\\s+")));
            rows = Docker.ok(cmd.toArray(String[]::new)).lines().toList();
        }
        List<String> containerNames = new ArrayList<>();
        List<String> workloadLabels = new ArrayList<>();
        for (String row : rows) {
            String[] f = row.split("\\|", -1);
            String containerName = f[0].startsWith("/") ? f[0].substring(1) : f[0];
            String workload = f[1];
            if (!containerName.startsWith("berth-" + prefix) && !workload.startsWith(prefix)) {
                continue; // another trial's (already removed) or nothing to do with this one
            }
            containerNames.add(containerName);
            workloadLabels.add(workload);
            assertThat(containerName).as(context + ": container for " + workload).isEqualTo("berth-" + workload);
            assertThat(f[2]).as(context + ": " + containerName + " running").isEqualTo("true");
            assertThat(f[3]).as(context + ": " + containerName + " io.berth.managed").isEqualTo("true");
        }
        List<String> expected = names.stream().map(n -> "berth-" + n).toList();
        assertThat(containerNames).as(context + ": containers of the trial").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(workloadLabels).as(context + ": io.berth.name labels").containsExactlyInAnyOrderElementsOf(names);
        assertThat(new TreeSet<>(containerNames)).as(context).hasSize(WORKLOADS);
    }

    private void removeTrialContainers(String prefix) {
        List<String> cmd = new ArrayList<>(List.of("rm", "-f"));
        cmd.addAll(trialContainers(prefix).keySet());
        if (cmd.size() > 2) {
            Docker.ok(cmd.toArray(String[]::new));
        }
    }
}
