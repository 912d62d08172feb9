package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.GitRepo;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GitOps against a real daemon, real Docker and local bare repositories pushed to with the git
 * command line: a commit reaches the host by polling within one interval and by the signed webhook
 * within 2 s; an invalid commit changes nothing and is reported; reverts converge back; forged,
 * unsigned and replayed webhooks fetch nothing; {@code agent reconcile --wait} exits 0/1/3; and
 * two agents (two hosts) follow one repository, each running and pruning only its own.
 */
class GitOpsIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration POLL = Duration.ofSeconds(3);
    static final String SECRET = "webhook-secret-" + UUID.randomUUID();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-git-" + id;
    final String web = "git-web-" + id;

    @TempDir
    Path dir;
    @TempDir
    Path manifests;
    @TempDir
    Path state;
    @TempDir
    Path state2;

    final List<DaemonProcess> daemons = new ArrayList<>();
    final List<String> agents = new ArrayList<>(List.of(agent));

    @AfterEach
    void stop() throws Exception {
        for (DaemonProcess d : daemons) {
            d.close();
        }
        agents.forEach(Docker::removeAgentContainers);
    }

    @Test
    void aCommitIsLiveWithinOnePollAnInvalidOneChangesNothingAndRevertsConvergeBack() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("manifests/web.yaml", Manifests.containerYaml(web, "50m", "32Mi", Manifests.SLEEP));
        repo.write("README.md", "not a manifest\n");
        String first = repo.commit("web at 32Mi");
        DaemonProcess d = start(state, agent, repo, POLL, Map.of("BERTH_GIT_PATH", "manifests"));
        d.await("the first revision runs", () -> memory(web) == 32L << 20);
        assertThat(git(d).path("applied").path("commit").asText()).isEqualTo(first);
        String containerId = Docker.inspect("berth-" + web, "{{.Id}}");

        // Polling: a limit change is live within one interval (plus the update itself).
        repo.write("manifests/web.yaml", Manifests.containerYaml(web, "50m", "48Mi", Manifests.SLEEP));
        String raise = repo.commit("web at 48Mi");
        long t0 = System.nanoTime();
        d.await("the limit change is live within one poll", POLL.plusSeconds(2), () -> memory(web) == 48L << 20);
        System.out.printf("GitOpsIT: pushed -> live by polling (interval %d s) in %d ms%n", POLL.toSeconds(),
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(Docker.inspect("berth-" + web, "{{.Id}}")).as("changed in place").isEqualTo(containerId);
        assertThat(git(d).path("applied").path("commit").asText()).isEqualTo(raise);

        // An invalid commit: one bad field beside a valid new workload. Nothing of it is applied.
        String extra = "git-extra-" + id;
        repo.write("manifests/web.yaml", Manifests.containerYaml(web, "lots", "64Mi", Manifests.SLEEP));
        repo.write("manifests/extra.yaml", Manifests.containerYaml(extra, "50m", "16Mi", Manifests.SLEEP));
        String bad = repo.commit("broken cpu");
        JsonNode failed = awaitJson(d, "/api/v1/git", g -> g.path("errorRevision").asText().equals(bad));
        assertThat(failed.path("error").asText())
                .contains("revision " + bad.substring(0, 12) + " is invalid, nothing of it was applied")
                .contains("manifests/web.yaml:6:")
                .contains("spec.resources.limits.cpu")
                .contains(raise.substring(0, 12) + " stays in force");
        assertThat(failed.path("applied").path("commit").asText()).isEqualTo(raise);
        assertThat(failed.path("fetched").path("commit").asText()).isEqualTo(bad);
        Thread.sleep(POLL.toMillis() + 1000); // another poll of the same bad head: still nothing applied
        assertThat(memory(web)).isEqualTo(48L << 20);
        assertThat(Docker.inspect("berth-" + web, "{{.Id}}")).isEqualTo(containerId);
        assertThat(Docker.run("ps", "-a", "-q", "--filter", "name=^/berth-" + extra + "$").out()).isBlank();
        HttpResponse<String> events = d.get("/api/v1/events", d.token());
        assertThat(events.body()).contains("InvalidRevision");
        assertThat(count(events.body(), "InvalidRevision")).as("reported once, not at every poll").isEqualTo(1);

        Agent.Result wait = reconcile(d, "--wait");
        assertThat(wait.exit()).as(wait.toString()).isEqualTo(1);
        assertThat(wait.out()).contains("revision " + bad.substring(0, 12) + " is invalid")
                .contains("manifests/web.yaml:6:").contains("failed");

        // Reverting the bad commit converges to what was in force; reverting the raise brings 32Mi back.
        repo.revert(bad);
        wait = reconcile(d, "--wait");
        assertThat(wait.exit()).as(wait.toString()).isEqualTo(0);
        assertThat(wait.out()).contains("succeeded");
        assertThat(git(d).path("error").isNull()).isTrue();
        String back = repo.revert(raise);
        wait = reconcile(d, "--wait");
        assertThat(wait.exit()).as(wait.toString()).isEqualTo(0);
        assertThat(wait.out()).contains("converged to revision " + back.substring(0, 12));
        assertThat(memory(web)).as("converged when --wait returned").isEqualTo(32L << 20);
        assertThat(Docker.run("ps", "-a", "-q", "--filter", "name=^/berth-" + extra + "$").out()).isBlank();

        // A commit whose workload cannot run: --wait fails and names it.
        String broken = "git-broken-" + id;
        repo.write("manifests/broken.yaml", Manifests.containerYaml(broken, "50m", "16Mi", Manifests.SLEEP)
                .replace("berth/busybox:1", "berth/no-such-image:1"));
        repo.commit("a workload whose image is missing");
        wait = reconcile(d, "--wait", "--timeout", "90s");
        assertThat(wait.exit()).as(wait.toString()).isEqualTo(1);
        assertThat(wait.out()).contains(broken + ": failed:").contains("1 of 2 workload(s) failed");

        // Removed from the repository: pruned (the git source's own only).
        repo.delete("manifests/broken.yaml");
        String last = repo.commit("drop the broken workload");
        wait = reconcile(d, "--wait");
        assertThat(wait.exit()).as(wait.toString()).isEqualTo(0);
        assertThat(memory(web)).isEqualTo(32L << 20);
        assertThat(Docker.run("ps", "-a", "-q", "--filter", "name=^/berth-" + broken + "$").out()).isBlank();
        Agent.Result get = new Agent("client").run(d.clientEnv(), "get");
        assertThat(get.out()).as(get.toString()).contains("git " + repo.url() + " main: revision " + last.substring(0, 12)
                + " \"drop the broken workload\" in force (applied ");
        HttpResponse<String> metrics = d.get("/q/metrics", null);
        assertThat(metrics.body()).contains("berth_git_sync_total{result=\"invalid\"}")
                .contains("berth_git_applied_timestamp_seconds");

        // Restarted while the repository is unreachable: the last good revision stays in force.
        d.close();
        Files.move(dir.resolve("fleet.git"), dir.resolve("moved.git"));
        DaemonProcess again = start(state, agent, repo, POLL, Map.of("BERTH_GIT_PATH", "manifests"));
        JsonNode unreachable = awaitJson(again, "/api/v1/git", g -> g.path("error").asText().contains("cannot fetch"));
        assertThat(unreachable.path("applied").path("commit").asText()).isEqualTo(last);
        Thread.sleep(4000); // a resync later: still there, not pruned
        assertThat(memory(web)).isEqualTo(32L << 20);
        wait = reconcile(again, "--wait");
        assertThat(wait.exit()).as("not converged to the branch head: it cannot be fetched").isEqualTo(1);
        assertThat(wait.out()).contains("cannot fetch");

        // Unreachable daemon: exit 3.
        again.close();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Agent.Result down = new Agent(agent).run(Map.of("BERTH_SERVER", "http://127.0.0.1:" + closed, "BERTH_TOKEN", "x"),
                "reconcile", "--wait");
        assertThat(down.exit()).as(down.toString()).isEqualTo(3);
    }

    @Test
    void theSignedWebhookBringsACommitWithinTwoSecondsAndForgedOrReplayedOnesFetchNothing() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("web.yaml", Manifests.containerYaml(web, "50m", "32Mi", Manifests.SLEEP));
        String first = repo.commit("web at 32Mi");
        // Polling every hour: only the webhook can bring a commit in time.
        DaemonProcess d = start(state, agent, repo, Duration.ofHours(1), Map.of());
        d.await("the first revision runs", () -> memory(web) == 32L << 20);

        repo.write("web.yaml", Manifests.containerYaml(web, "50m", "64Mi", Manifests.SLEEP));
        String next = repo.commit("web at 64Mi");
        String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + next + "\",\"repository\":{\"pushed_at\":"
                + System.currentTimeMillis() / 1000 + "}}";

        HttpResponse<String> forged = d.post("/api/v1/hooks/git", Map.of("X-Hub-Signature-256", sign("guessed", body),
                "X-GitHub-Delivery", "forged-" + id, "Content-Type", "application/json"), body);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("does not match");
        HttpResponse<String> unsigned = d.post("/api/v1/hooks/git", Map.of("Content-Type", "application/json"), body);
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("missing signature");
        HttpResponse<String> bearerOnly = d.post("/api/v1/hooks/git", Map.of("Authorization", "Bearer " + d.token()), body);
        assertThat(bearerOnly.statusCode()).as("the API token is not a webhook signature").isEqualTo(401);
        Thread.sleep(2500);
        assertThat(git(d).path("fetched").path("commit").asText()).as("nothing fetched").isEqualTo(first);
        assertThat(memory(web)).isEqualTo(32L << 20);

        Map<String, String> signed = Map.of("X-Hub-Signature-256", sign(SECRET, body), "X-GitHub-Delivery", "d-" + id,
                "X-GitHub-Event", "push", "Content-Type", "application/json");
        long t0 = System.nanoTime();
        HttpResponse<String> accepted = d.post("/api/v1/hooks/git", signed, body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(JSON.readTree(accepted.body()).path("id").asText()).isNotBlank();
        d.await("the pushed limit is live", Duration.ofSeconds(2), () -> memory(web) == 64L << 20);
        System.out.printf("GitOpsIT: webhook POST -> live in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        String runId = JSON.readTree(accepted.body()).path("id").asText();
        JsonNode run = awaitJson(d, "/api/v1/reconcile/" + runId, r -> !r.path("state").asText().equals("Running"));
        assertThat(run.path("state").asText()).as(run.toString()).isEqualTo("Succeeded");
        assertThat(run.path("git").path("applied").path("commit").asText()).isEqualTo(next);

        // The same delivery again, after yet another commit: refused, nothing fetched.
        repo.write("web.yaml", Manifests.containerYaml(web, "50m", "80Mi", Manifests.SLEEP));
        repo.commit("web at 80Mi");
        HttpResponse<String> replay = d.post("/api/v1/hooks/git", signed, body);
        assertThat(replay.statusCode()).isEqualTo(409);
        assertThat(replay.body()).contains("already received");
        Thread.sleep(2500);
        assertThat(git(d).path("fetched").path("commit").asText()).isEqualTo(next);
        assertThat(memory(web)).isEqualTo(64L << 20);

        // A pipeline job without git: `agent apply --server URL` with the token from the environment only.
        String job = "git-job-" + id;
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, Manifests.containerYaml(job, "50m", "16Mi", Manifests.SLEEP));
        Agent.Result applied = new Agent("ci").run(Map.of("BERTH_TOKEN", d.token()),
                "apply", "--server", d.url(), "-f", file.toString());
        assertThat(applied.exit()).as(applied.toString()).isEqualTo(0);
        assertThat(memory(job)).isEqualTo(16L << 20);
        // The git source cannot be overwritten through the API.
        HttpResponse<String> hijack = d.post("/api/v1/apply?source=git:" + repo.url(), d.token(), "application/yaml",
                Files.readString(file));
        assertThat(hijack.statusCode()).isEqualTo(409);
        assertThat(hijack.body()).contains("is the git source: push a commit instead");
    }

    @Test
    void twoAgentsFollowOneRepositoryEachRunningAndPruningOnlyItsOwn() throws Exception {
        String hostA = agent;
        String hostB = "e2e-git-b-" + id;
        agents.add(hostB);
        String onA = "git-on-a-" + id;
        String onB = "git-on-b-" + id;
        String inEu = "git-in-eu-" + id;
        GitRepo repo = GitRepo.create(dir);
        repo.write("fleet/a.yaml", Manifests.containerYaml(onA, "50m", "16Mi", Manifests.SLEEP)
                + "  placement: {host: " + hostA + "}\n");
        repo.write("fleet/b.yaml", Manifests.containerYaml(onB, "50m", "16Mi", Manifests.SLEEP)
                + "  placement: {host: " + hostB + "}\n");
        repo.write("fleet/eu.yaml", Manifests.containerYaml(inEu, "50m", "16Mi", Manifests.SLEEP)
                + "  placement: {labels: {zone: eu}}\n");
        repo.commit("a fleet of two");
        DaemonProcess a = start(state, hostA, repo, POLL, Map.of("BERTH_GIT_PATH", "fleet"));
        DaemonProcess b = start(state2, hostB, repo, POLL, Map.of("BERTH_GIT_PATH", "fleet", "BERTH_HOST_LABELS", "zone=eu"));
        a.await("host a runs its own", () -> names(hostA).equals(List.of("berth-" + onA)));
        b.await("host b runs its own and the eu one",
                () -> names(hostB).equals(List.of("berth-" + onB, "berth-" + inEu).stream().sorted().toList()));

        repo.delete("fleet/b.yaml");
        repo.commit("retire b's workload");
        b.await("host b pruned its workload", () -> names(hostB).equals(List.of("berth-" + inEu)));
        Thread.sleep(POLL.toMillis() + 1000);
        assertThat(names(hostA)).containsExactly("berth-" + onA);
        assertThat(git(a).path("fetched").path("commit").asText()).isEqualTo(git(b).path("applied").path("commit").asText());
    }

    private DaemonProcess start(Path stateDir, String name, GitRepo repo, Duration interval, Map<String, String> extra)
            throws Exception {
        Path secret = stateDir.resolve("webhook-secret");
        Files.writeString(secret, SECRET + "\n");
        Map<String, String> env = new java.util.HashMap<>(Map.of("BERTH_GIT_URL", repo.url(),
                "BERTH_GIT_INTERVAL", interval.toSeconds() + "s", "BERTH_GIT_WEBHOOK_SECRET_FILE", secret.toString()));
        env.putAll(extra);
        Path watched = Files.createDirectories(stateDir.resolve("watched"));
        DaemonProcess d = DaemonProcess.start(watched, stateDir, name, env);
        daemons.add(d);
        return d;
    }

    private static Agent.Result reconcile(DaemonProcess d, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("reconcile"));
        all.addAll(List.of(args));
        return new Agent("client").run(d.clientEnv(), all.toArray(String[]::new));
    }

    private static JsonNode git(DaemonProcess d) throws Exception {
        return JSON.readTree(d.get("/api/v1/git", d.token()).body());
    }

    private static JsonNode awaitJson(DaemonProcess d, String path, java.util.function.Predicate<JsonNode> ok) throws Exception {
        JsonNode[] last = new JsonNode[1];
        d.await(path, () -> {
            try {
                last[0] = JSON.readTree(d.get(path, d.token()).body());
            } catch (Exception e) {
                return false;
            }
            return ok.test(last[0]);
        });
        return last[0];
    }

    private static long memory(String workload) {
        Docker.Result r = Docker.run("inspect", "-f", "{{.HostConfig.Memory}}", "berth-" + workload);
        return r.exit() == 0 ? Long.parseLong(r.out().strip()) : -1;
    }

    private static List<String> names(String agent) {
        return Docker.run("ps", "-a", "--filter", "label=io.berth.agent=" + agent, "--format", "{{.Names}}").out()
                .strip().lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    private static int count(String text, String word) {
        return text.split(word, -1).length - 1;
    }

    private static String sign(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
