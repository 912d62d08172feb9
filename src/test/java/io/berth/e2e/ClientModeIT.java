package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client commands against a running {@code agent serve} (the default mode): apply, plan, get,
 * describe, events, delete go through the API; what was applied is the daemon's desired state and
 * outlives a daemon restart; bad input is the manifest's error lines; an unreachable daemon is
 * exit 3; a wrong token is refused.
 */
class ClientModeIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-client-" + id;
    final Agent agent = new Agent(agentName);
    final String app = "capp-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;
    @TempDir
    Path work;

    DaemonProcess daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agentName);
    }

    @Test
    void applyPlanGetDescribeDeleteGoThroughTheDaemonAndWhatWasAppliedOutlivesItsRestart() throws Exception {
        Path file = write(work.resolve("app.yaml"), app, "64Mi", "");
        Agent.Result apply = agent.run(daemon.clientEnv(), "apply", "-f", file.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains(app + ": created").contains("Apply complete: 1 created.");
        String container = "berth-" + app;
        assertThat(Docker.inspect(container, "{{.State.Status}}")).isEqualTo("running");
        assertThat(Docker.inspect(container, "{{index .Config.Labels \"io.berth.source\"}}")).isEqualTo(file.toString());

        Agent.Result noop = agent.run(daemon.clientEnv(), "plan", "-f", file.toString());
        assertThat(noop.exit()).as(noop.toString()).isZero();
        assertThat(noop.out()).contains("No changes: 1 workload up to date.");

        write(file, app, "96Mi", "");
        Agent.Result plan = agent.run(daemon.clientEnv(), "plan", "-f", file.toString());
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("  ~ " + app + " (Container): update in place").contains("64Mi → 96Mi");
        Agent.Result update = agent.run(daemon.clientEnv(), "apply", "-f", file.toString());
        assertThat(update.out()).as(update.toString()).contains(app + ": updated in place");
        assertThat(Docker.inspect(container, "{{.HostConfig.Memory}}")).isEqualTo(Long.toString(96L << 20));

        Agent.Result get = agent.run(daemon.clientEnv(), "get");
        assertThat(get.exit()).as(get.toString()).isZero();
        assertThat(get.out()).containsPattern(app + "\\s+Container\\s+Running\\s+Running\\s+100m\\s+96Mi");
        Agent.Result describe = agent.run(daemon.clientEnv(), "describe", app);
        assertThat(describe.out()).as(describe.toString()).contains("Phase:        Running", "Source:       " + file,
                "memory:      96Mi", "Spec (desired):", "Updated");

        // The applied source is the daemon's desired state: a restarted daemon keeps it (and repairs it).
        daemon.close();
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of());
        Docker.ok("rm", "-f", container);
        daemon.await("container of an API-applied source replaced after a daemon restart",
                () -> Docker.run("inspect", container).exit() == 0 && Docker.inspect(container, "{{.State.Status}}").equals("running"));

        Agent.Result events = agent.run(daemon.clientEnv(), "events");
        assertThat(events.out()).as(events.toString()).containsPattern(app + "\\s+(Created|Recreated)");

        Agent.Result delete = agent.run(daemon.clientEnv(), "delete", app);
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains(app + ": deleted", "Delete complete: 1 deleted.");
        assertThat(Docker.run("inspect", container).exit()).isNotZero();
        assertThat(agent.run(daemon.clientEnv(), "get").out()).doesNotContain(app);
        Agent.Result again = agent.run(daemon.clientEnv(), "delete", app);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("not declared or managed on this host: " + app);
    }

    @Test
    void pruneThroughTheDaemonRemovesOnlyItsOwnSource() throws Exception {
        Path dir = Files.createDirectory(work.resolve("set"));
        write(dir.resolve("a.yaml"), app + "-a", "64Mi", "");
        write(dir.resolve("b.yaml"), app + "-b", "64Mi", "");
        Path other = write(work.resolve("other.yaml"), app + "-o", "64Mi", "");
        assertThat(agent.run(daemon.clientEnv(), "apply", "-f", dir.toString()).exit()).isZero();
        assertThat(agent.run(daemon.clientEnv(), "apply", "-f", other.toString()).exit()).isZero();

        Files.delete(dir.resolve("b.yaml"));
        Agent.Result prune = agent.run(daemon.clientEnv(), "apply", "-f", dir.toString(), "--prune");
        assertThat(prune.exit()).as(prune.toString()).isZero();
        assertThat(prune.out()).contains(app + "-b: deleted");
        assertThat(Docker.run("inspect", "berth-" + app + "-b").exit()).isNotZero();
        assertThat(Docker.inspect("berth-" + app + "-a", "{{.State.Status}}")).isEqualTo("running");
        assertThat(Docker.inspect("berth-" + app + "-o", "{{.State.Status}}")).isEqualTo("running");
    }

    @Test
    void badInputIsEveryManifestErrorLineAndAConflictNamesTheOwner() throws Exception {
        HttpResponse<String> bad = daemon.post("/api/v1/apply", daemon.token(), "application/yaml", """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: Bad_Name}
                spec: {image: x, resources: {limits: {cpu: lots, memory: 1Gi}}}
                """);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("2 errors in the manifests; nothing was changed")
                .contains("<request body>:3:18: metadata.name")
                .contains("spec.resources.limits.cpu");
        HttpResponse<String> notJson = daemon.post("/api/v1/apply", daemon.token(), "application/vnd.berth.files+json", "{");
        assertThat(notJson.statusCode()).isEqualTo(400);

        HttpResponse<String> privileged = daemon.post("/api/v1/plan", daemon.token(), "application/yaml", """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: priv}
                spec:
                  image: berth/busybox:1
                  resources: {limits: {cpu: 1, memory: 1Gi}}
                  securityContext: {privileged: true}
                """);
        assertThat(privileged.statusCode()).isEqualTo(400);
        assertThat(privileged.body()).contains("<request body>:7:33: spec.securityContext.privileged: privileged containers are denied");

        write(manifests.resolve("owned.yaml"), app, "64Mi", "");
        daemon.await("directory workload running", () -> Docker.run("inspect", "berth-" + app).exit() == 0);
        Path mine = write(work.resolve("mine.yaml"), app, "64Mi", "");
        Agent.Result conflict = agent.run(daemon.clientEnv(), "apply", "-f", mine.toString());
        assertThat(conflict.exit()).isEqualTo(1);
        assertThat(conflict.err()).contains(mine + ":1:1: " + app + " is already declared by source " + manifests)
                .contains("error: declared by another source; nothing was changed");
        Agent.Result deleteDirectoryOwned = agent.run(daemon.clientEnv(), "delete", app);
        assertThat(deleteDirectoryOwned.exit()).isEqualTo(1);
        assertThat(deleteDirectoryOwned.err()).contains("remove it from its file there");
        assertThat(Docker.inspect("berth-" + app, "{{.State.Status}}")).isEqualTo("running");
    }

    @Test
    void anUnreachableDaemonIsExitThreeAndAWrongTokenIsRefused() throws Exception {
        Path file = write(work.resolve("app.yaml"), app, "64Mi", "");
        Agent.Result down = agent.run(Map.of("BERTH_SERVER", "http://127.0.0.1:1"), "apply", "-f", file.toString());
        assertThat(down.exit()).as(down.toString()).isEqualTo(3);
        assertThat(down.err()).contains("cannot reach the Berth daemon at http://127.0.0.1:1/").contains("--local");
        Agent.Result wrong = agent.run(Map.of("BERTH_SERVER", daemon.url(), "BERTH_TOKEN", "nope"), "get");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("refused the API token (HTTP 401)");
        assertThat(Docker.run("inspect", "berth-" + app).exit()).isNotZero();
    }

    @Test
    void eventsWatchPrintsEventsAsTheyHappen() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Agent.root().resolve("agent").toString(), "events", "--watch")
                .redirectErrorStream(true);
        pb.environment().putAll(daemon.clientEnv());
        Process watch = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getInputStream()))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            write(manifests.resolve("w.yaml"), app, "64Mi", "");
            daemon.await("the watcher prints the create", () -> lines.stream().anyMatch(l -> l.contains(app) && l.contains("Created")));
            Docker.ok("rm", "-f", "berth-" + app);
            daemon.await("the watcher prints the repair", () -> lines.stream()
                    .filter(l -> l.contains(app) && (l.contains("Created") || l.contains("Recreated"))).count() >= 2);
        } finally {
            watch.destroy();
        }
    }

    @Test
    void topShowsABurnerNearItsLimitAndDescribeShowsItsUsage() throws Exception {
        String burner = app + "-burn";
        Files.writeString(manifests.resolve("burn.yaml"), Manifests.containerYaml(burner, "500m", "32Mi", Manifests.BURN));
        java.util.regex.Pattern row = java.util.regex.Pattern.compile(
                burner + "\\s+Container\\s+(\\d+\\.\\d+)/0\\.50\\s+(\\d+)%\\s+\\S+/32\\.0Mi");
        Map<String, String> env = daemon.clientEnv();
        String[] seen = new String[1];
        // Near its limit: the CFS quota caps it at 0.5; on a busy 2-core host it may get less for a while.
        daemon.await("agent top shows the burner near its 0.5-core limit", () -> {
            Agent.Result top = agent.run(env, "top");
            seen[0] = top.toString();
            java.util.regex.Matcher m = row.matcher(top.out());
            return top.exit() == 0 && m.find() && Double.parseDouble(m.group(1)) >= 0.40
                    && Double.parseDouble(m.group(1)) <= 0.56 && top.out().contains("HOST cpu: ");
        });
        assertThat(seen[0]).contains("NAME", "CPU(cores)", "MEMORY used/limit");
        Agent.Result describe = agent.run(daemon.clientEnv(), "describe", burner);
        assertThat(describe.out()).as(describe.toString()).containsPattern("Usage:\\s+cpu 0\\.\\d\\d of 0\\.50 cores");
    }

    static Path write(Path file, String name, String memory, String extra) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, Manifests.containerYaml(name, "100m", memory, Manifests.SLEEP) + extra);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }
}
