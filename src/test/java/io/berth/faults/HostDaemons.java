package io.berth.faults;

import io.berth.testing.Agent;
import io.berth.testing.Docker;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping and bringing back the host's real dockerd and libvirtd, with or without systemd, the
 * way {@code deploy/host-setup.sh} runs them; and the courtesy wait before doing so on a machine
 * other engineers' test runs share.
 */
final class HostDaemons {

    static final Duration QUIET_WAIT = Duration.ofMinutes(10);
    static final Path SETUP = Agent.root().resolve("deploy/host-setup.sh");

    private HostDaemons() {
    }

    static boolean systemd() {
        return Files.isDirectory(Path.of("/run/systemd/system"));
    }

    /**
     * Waits (up to 10 minutes, polling every 10 s) until no failsafe run other than this
     * worktree's is active: stopping dockerd or libvirtd would break another engineer's tests.
     * Runs are told apart by their working directory. Proceeds after the wait either way, saying so.
     */
    static void awaitNoOtherTestRun(String what) throws InterruptedException {
        Path mine = Agent.root().toAbsolutePath().normalize();
        long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
        while (true) {
            List<String> others = otherFailsafeRuns(mine);
            if (others.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.println("HostDaemons: other test runs still active after " + QUIET_WAIT.toMinutes()
                        + " min, going ahead with " + what + ": " + others);
                return;
            }
            System.out.println("HostDaemons: waiting before " + what + " for other test runs: " + others);
            Thread.sleep(10_000);
        }
    }

    private static List<String> otherFailsafeRuns(Path mine) {
        Processes.Result r = Processes.run(List.of("pgrep", "-f", "failsafe"), Map.of(), null, Duration.ofSeconds(10));
        List<String> others = new ArrayList<>();
        for (String pid : r.out().split("\\s+")) {
            if (pid.isBlank()) {
                continue;
            }
            try {
                Path cwd = Files.readSymbolicLink(Path.of("/proc", pid, "cwd"));
                if (!cwd.startsWith(mine)) {
                    others.add(pid + " in " + cwd);
                }
            } catch (Exception e) {
                // gone meanwhile, or not ours to read
            }
        }
        return others;
    }

    // --- dockerd -------------------------------------------------------------------------------

    static void stopDockerd() throws Exception {
        if (systemd()) {
            Processes.run(List.of("systemctl", "stop", "docker.socket", "docker"), Map.of(), Agent.root(), Duration.ofSeconds(60));
        } else {
            String pid = Files.readString(Path.of("/var/run/docker.pid")).strip();
            Processes.run(List.of("kill", pid), Map.of(), Agent.root(), Duration.ofSeconds(10));
            awaitGone(pid, Duration.ofSeconds(30));
        }
        assertThat(Docker.run("info").exit()).as("dockerd stopped").isNotZero();
    }

    /** Idempotent: host setup starts dockerd if it does not answer, and is quick when all else is in place. */
    static void ensureDockerd() {
        if (Docker.run("info").exit() == 0) {
            return;
        }
        hostSetup("dockerd");
    }

    // --- libvirtd ------------------------------------------------------------------------------

    /** Stops libvirtd (running domains keep running: their QEMUs are not its children to kill). */
    static void stopLibvirtd() throws Exception {
        if (systemd()) {
            Processes.run(List.of("systemctl", "stop", "libvirtd.service", "libvirtd.socket", "libvirtd-ro.socket",
                    "libvirtd-admin.socket"), Map.of(), Agent.root(), Duration.ofSeconds(60));
        } else {
            String pid = Files.readString(Path.of("/run/libvirtd.pid")).strip();
            Processes.run(List.of("kill", pid), Map.of(), Agent.root(), Duration.ofSeconds(10));
            awaitGone(pid, Duration.ofSeconds(30));
        }
        assertThat(Virsh.run("version").exit()).as("libvirtd stopped").isNotZero();
    }

    static boolean libvirtdAnswers() {
        return Virsh.run("version").exit() == 0;
    }

    /** Idempotent: host setup starts libvirtd (and virtlogd) the way this host runs them. */
    static void ensureLibvirtd() {
        if (libvirtdAnswers()) {
            return;
        }
        hostSetup("libvirtd");
    }

    private static void hostSetup(String what) {
        Processes.Result r = Processes.run(List.of("bash", SETUP.toString()), Map.of(), Agent.root(), Duration.ofSeconds(300));
        assertThat(r.exit()).as("host setup brings " + what + " back: " + r.err()).isZero();
    }

    private static void awaitGone(String pid, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (Files.exists(Path.of("/proc", pid)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }
}
