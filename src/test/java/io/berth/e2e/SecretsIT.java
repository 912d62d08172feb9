package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spec.secrets} through {@code ./agent apply --local} against the real Docker Engine: the
 * file's content, mode and owner inside the container, read-only there; the value absent from
 * {@code docker inspect}, {@code get}, {@code describe} and plans; a rotated file plans "secret
 * changed: NAME" without the value and the apply brings the new content; delete removes the host
 * copy, which sat on a tmpfs with a 0700 directory.
 */
class SecretsIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-sec-" + id;
    final Agent agent = Agent.local(agentName);
    final String app = "sapp-" + id;
    final String value = "pa55-" + UUID.randomUUID();
    final String rotated = "r0tated-" + UUID.randomUUID();

    @TempDir
    Path dir;
    @TempDir
    Path state;

    @AfterEach
    void cleanUp() {
        Docker.removeAgentContainers(agentName);
    }

    Agent.Result run(String... args) {
        return agent.run(Map.of("BERTH_STATE_DIR", state.toString()), args);
    }

    String manifest() {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: berth/busybox:1
                  imagePullPolicy: Never
                  resources: {limits: {cpu: 100m, memory: 32Mi}}
                  command: ["sh", "-c", "%s"]
                  secrets:
                    - {name: db-password, file: secrets/db-password, mountPath: /run/secrets/db-password, mode: "0440"}
                    - {name: api-key, file: secrets/api-key, mountPath: /etc/app/api-key, uid: 1000, gid: 1001}
                """.formatted(app, Manifests.SLEEP);
    }

    String exec(String... cmd) {
        String[] args = new String[cmd.length + 2];
        args[0] = "exec";
        args[1] = "berth-" + app;
        System.arraycopy(cmd, 0, args, 2, cmd.length);
        return Docker.ok(args).trim();
    }

    @Test
    void theFileIsMountedReadOnlyWithItsModeAndTheValueIsInNoneOfBerthsOutputs() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/db-password"), value);
        Files.writeString(dir.resolve("secrets/api-key"), "key-" + value);
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, manifest());

        Agent.Result apply = run("apply", "-f", file.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(apply.toString()).doesNotContain(value);

        assertThat(exec("cat", "/run/secrets/db-password")).isEqualTo(value);
        assertThat(exec("stat", "-c", "%a %u %g", "/run/secrets/db-password")).isEqualTo("440 0 0");
        assertThat(exec("stat", "-c", "%a %u %g", "/etc/app/api-key")).isEqualTo("400 1000 1001");
        assertThat(Docker.run("exec", "berth-" + app, "sh", "-c", "echo x > /run/secrets/db-password").exit())
                .as("the secret is read-only inside").isNotZero();
        assertThat(exec("cat", "/run/secrets/db-password")).isEqualTo(value);

        String inspect = Docker.ok("inspect", "berth-" + app);
        assertThat(inspect).doesNotContain(value).contains("\"digest\\\":\\\"hmac-sha256:");
        String source = Docker.inspect("berth-" + app,
                "{{range .Mounts}}{{if eq .Destination \"/run/secrets/db-password\"}}{{.Source}}{{end}}{{end}}");
        Path host = Path.of(source);
        assertThat(host).exists();
        assertThat(Files.getFileStore(host).type()).as("the host copy is in memory").isEqualTo("tmpfs");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(host.getParent(), LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rwx------");

        for (String[] cmd : new String[][] {{"get", "-o", "yaml"}, {"plan", "-f", file.toString(), "-o", "yaml"}}) {
            Agent.Result r = run(cmd);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.toString()).as(String.join(" ", cmd)).doesNotContain(value).doesNotContain("key-" + value);
        }
        Agent.Result same = run("plan", "-f", file.toString());
        assertThat(same.exit()).as("an unchanged file plans no change: " + same).isZero();
        throughTheDaemon();

        Files.writeString(dir.resolve("secrets/db-password"), rotated);
        Agent.Result plan = run("plan", "-f", file.toString());
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("secret changed: db-password")
                .contains("spec.secrets[db-password].value: (secret) → (changed)");
        assertThat(plan.toString()).doesNotContain(value).doesNotContain(rotated);
        Agent.Result again = run("apply", "-f", file.toString());
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.toString()).doesNotContain(rotated);
        assertThat(exec("cat", "/run/secrets/db-password")).isEqualTo(rotated);
        assertThat(run("plan", "-f", file.toString()).exit()).as("converged").isZero();

        Agent.Result delete = run("delete", "-f", file.toString());
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(host).doesNotExist();
        assertThat(host.getParent()).as("the workload's secret directory goes with it").doesNotExist();
        assertThat(dir.resolve("secrets/db-password")).as("the user's own file is never touched").hasContent(rotated);
    }

    @Test
    void appliedThroughTheDaemonTheValueIsReadThereKeptOutOfItsRecordsAndReadAgainAfterARestart() throws Exception {
        Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("secrets/db-password"), value);
        Files.writeString(dir.resolve("secrets/api-key"), "key-" + value);
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, manifest());
        Path manifests = Files.createDirectories(dir.resolve("daemon-manifests"));
        Agent client = new Agent(agentName);
        String id;
        try (DaemonProcess daemon = DaemonProcess.start(manifests, state, agentName, Map.of())) {
            Agent.Result apply = client.run(daemon.clientEnv(), "apply", "-f", file.toString());
            assertThat(apply.exit()).as(apply.toString()).isZero();
            assertThat(exec("cat", "/run/secrets/db-password")).isEqualTo(value);
            id = Docker.inspect("berth-" + app, "{{.Id}}");
        }
        try (var recorded = Files.walk(state.resolve("sources"))) {
            for (Path f : recorded.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as("the daemon's record of the source " + f).doesNotContain(value);
            }
        }
        try (DaemonProcess daemon = DaemonProcess.start(manifests, state, agentName, Map.of())) {
            Agent.Result plan = client.run(daemon.clientEnv(), "plan", "-f", file.toString());
            assertThat(plan.exit()).as("the restarted daemon read the files again: no change " + plan).isZero();
            Thread.sleep(3000); // a few reconcile passes
            assertThat(Docker.inspect("berth-" + app, "{{.Id}}")).as("not recreated by the restart").isEqualTo(id);
            assertThat(exec("cat", "/run/secrets/db-password")).isEqualTo(value);
        }
        assertThat(Files.readString(state.resolve("daemon.log"))).as("the daemon's log").doesNotContain(value);
    }

    /** A daemon of the same agent shows the container (describe, the API, events) without the value. */
    void throughTheDaemon() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(Files.createDirectories(dir.resolve("daemon-manifests")), state,
                agentName, Map.of())) {
            Agent client = new Agent(agentName);
            for (String[] cmd : new String[][] {{"describe", app, "-o", "yaml"}, {"describe", app}, {"get", "-o", "yaml"}}) {
                Agent.Result r = client.run(daemon.clientEnv(), cmd);
                assertThat(r.exit()).as(r.toString()).isZero();
                assertThat(r.toString()).as(String.join(" ", cmd)).contains(app).doesNotContain(value);
            }
            for (String path : java.util.List.of("/api/v1/workloads/" + app, "/api/v1/workloads", "/api/v1/events")) {
                var r = daemon.get(path, daemon.token());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).as(path).doesNotContain(value).doesNotContain("key-" + value);
            }
        }
        assertThat(Files.readString(state.resolve("daemon.log"))).as("the daemon's log").doesNotContain(value);
    }

    @Test
    void aMissingSecretFileIsAnErrorAtItsPositionAndNothingIsCreated() throws Exception {
        Path file = dir.resolve("app.yaml");
        Files.writeString(file, manifest());
        Agent.Result apply = run("apply", "-f", file.toString());
        assertThat(apply.exit()).as(apply.toString()).isEqualTo(1);
        assertThat(apply.err()).contains(file + ":10:")
                .contains("spec.secrets[0].file: workload \"" + app + "\", secret \"db-password\": cannot read "
                        + dir.resolve("secrets/db-password") + ": no such file")
                .doesNotContain("Exception");
        assertThat(Docker.run("inspect", "berth-" + app).exit()).as("nothing created").isNotZero();
    }
}
