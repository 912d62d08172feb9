package io.berth.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Before every end-to-end test class (registered for failsafe only, by extension autodetection):
 * does the host's dockerd still answer a container listing? Docker Engine 20.10 was seen to
 * deadlock on a container lock after a burst of kill -9 and forced removals (CrashSafetyIT in CI:
 * {@code docker ps} never answered again and the run hit its 90-minute limit). Such an engine no
 * longer tells anything about Berth, and every later class would fail on it, so the watchdog keeps
 * Docker's goroutine dump for the record under {@code target/engine-hangs/}, kills dockerd and its
 * containerd, and has {@code deploy/host-setup.sh} start them again. Berth's own behaviour under a
 * hung engine is tested elsewhere; this only keeps one engine fault from taking the whole suite.
 */
public final class EngineWatchdog implements BeforeAllCallback {

    static final Duration ANSWER = Duration.ofSeconds(30);
    static final Path PID_FILE = Path.of("/var/run/docker.pid");

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (answers()) {
            return;
        }
        String who = context.getDisplayName();
        System.out.println("EngineWatchdog: before " + who + ", dockerd did not list containers in "
                + ANSWER.toSeconds() + " s; keeping its goroutine dump and restarting it");
        keepGoroutineDump(who);
        restart();
        if (!answers()) {
            throw new IllegalStateException("EngineWatchdog: dockerd still does not answer after a restart by "
                    + "deploy/host-setup.sh; see /var/log/berth-dockerd.log");
        }
        System.out.println("EngineWatchdog: dockerd answers again");
    }

    static boolean answers() {
        try {
            return Processes.run(List.of("docker", "ps", "-aq"), Map.of(), null, ANSWER).exit() == 0;
        } catch (AssertionError timedOut) {
            return false;
        }
    }

    /** SIGUSR1 makes dockerd write every goroutine's stack to a file it names in its log. */
    private static void keepGoroutineDump(String who) throws IOException, InterruptedException {
        String pid = pid();
        if (pid == null) {
            return;
        }
        Path runDir = Path.of("/var/run/docker");
        long before = System.currentTimeMillis();
        Processes.run(List.of("kill", "-USR1", pid), Map.of(), null, Duration.ofSeconds(10));
        Path kept = Files.createDirectories(Agent.root().resolve("target/engine-hangs"));
        for (int i = 0; i < 50; i++) {
            try (Stream<Path> files = Files.list(runDir)) {
                List<Path> dumps = files.filter(f -> f.getFileName().toString().startsWith("goroutine-stacks-"))
                        .filter(f -> f.toFile().lastModified() >= before - 1000).toList();
                if (!dumps.isEmpty()) {
                    for (Path dump : dumps) {
                        Path to = kept.resolve(who.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + dump.getFileName());
                        Files.copy(dump, to, StandardCopyOption.REPLACE_EXISTING);
                        System.out.println("EngineWatchdog: goroutine dump kept in " + to);
                    }
                    return;
                }
            }
            Thread.sleep(100);
        }
        System.out.println("EngineWatchdog: dockerd wrote no goroutine dump in 5 s");
    }

    private static void restart() throws IOException, InterruptedException {
        if (Files.isDirectory(Path.of("/run/systemd/system"))) {
            Processes.run(List.of("systemctl", "kill", "-s", "KILL", "docker"), Map.of(), null, Duration.ofSeconds(30));
        } else {
            String pid = pid();
            if (pid != null) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(dockerd -> {
                    List<ProcessHandle> children = dockerd.descendants().toList(); // its containerd
                    dockerd.destroyForcibly();
                    children.forEach(ProcessHandle::destroyForcibly);
                    dockerd.onExit().join();
                });
            }
        }
        Processes.Result setup = Processes.run(List.of("bash", Agent.root().resolve("deploy/host-setup.sh").toString()),
                Map.of(), Path.of("/"), Duration.ofSeconds(300));
        if (setup.exit() != 0) {
            throw new IllegalStateException("EngineWatchdog: host setup failed to start dockerd again:\n" + setup);
        }
    }

    private static String pid() throws IOException {
        if (!Files.exists(PID_FILE)) {
            return null;
        }
        String pid = Files.readString(PID_FILE).strip();
        return pid.matches("[0-9]+") && Files.exists(Path.of("/proc", pid)) ? pid : null;
    }
}
