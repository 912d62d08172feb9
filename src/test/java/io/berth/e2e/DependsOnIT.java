package io.berth.e2e;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spec.dependsOn} through the daemon against the real Docker Engine: a dependant is started
 * only after its dependency's health check passed (Docker's own timestamps compared), and one whose
 * dependency never gets healthy stays Pending with the reason.
 */
class DependsOnIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-deps-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
        Docker.removeAgentContainers(agent);
    }

    static String container(String name, String extra) {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: berth/busybox:1
                  imagePullPolicy: Never
                  resources: {limits: {cpu: 100m, memory: 32Mi}}
                %s""".formatted(name, extra.indent(2));
    }

    @Test
    void theAppStartsOnlyAfterTheDbIsHealthyAndANeverHealthyDependencyLeavesItPending() throws Exception {
        String db = "db-" + id;
        String app = "app-" + id;
        String stuck = "stuck-" + id;
        String waiter = "waiter-" + id;
        Files.writeString(manifests.resolve("stack.yaml"), String.join("---\n",
                container(db, """
                        command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
                        healthCheck: {command: ["test", "-f", "/tmp/ready"], interval: 2s, timeout: 1s, retries: 3}"""),
                container(app, "command: [\"sleep\", \"3600\"]\ndependsOn: [{name: " + db + ", condition: healthy}]"),
                container(stuck, "command: [\"sleep\", \"3600\"]\nhealthCheck: {command: [\"false\"], interval: 1s, timeout: 1s, retries: 1}"),
                container(waiter, "command: [\"sleep\", \"3600\"]\ndependsOn: [{name: " + stuck + ", condition: healthy}]")));
        daemon.await("the app runs", () -> Docker.run("inspect", "berth-" + app).exit() == 0
                && Docker.inspect("berth-" + app, "{{.State.Running}}").equals("true"));
        Instant appStarted = Instant.parse(Docker.inspect("berth-" + app, "{{.State.StartedAt}}"));
        // The first passing probe Docker logged (the log keeps the last five, 10 s at this interval).
        String passes = Docker.inspect("berth-" + db, "{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End.Format \"2006-01-02T15:04:05.999999999Z07:00\"}} {{end}}{{end}}");
        assertThat(passes).as("db's passing health probes").isNotBlank();
        Instant dbHealthy = Instant.parse(passes.trim().split(" ")[0]);
        assertThat(appStarted).as("app started after db became healthy").isAfter(dbHealthy);

        String token = daemon.token();
        daemon.await("the waiter is pending with the reason", () -> {
            String w = daemon.get("/api/v1/workloads/" + waiter, token).body();
            return w.contains("Pending") && w.contains("waiting for " + stuck + " to be healthy");
        });
        assertThat(Docker.run("inspect", "berth-" + waiter).exit()).as("the waiter was never created").isNotEqualTo(0);

        // Both recreated by one edit: the new app starts after the new db is healthy, not the old one.
        String dbId = Docker.inspect("berth-" + db, "{{.Id}}");
        String appId = Docker.inspect("berth-" + app, "{{.Id}}");
        Files.writeString(manifests.resolve("stack.yaml"), String.join("---\n",
                container(db, """
                        command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
                        env: [{name: GENERATION, value: "2"}]
                        healthCheck: {command: ["test", "-f", "/tmp/ready"], interval: 2s, timeout: 1s, retries: 3}"""),
                container(app, "command: [\"sleep\", \"3600\"]\nenv: [{name: GENERATION, value: \"2\"}]\n"
                        + "dependsOn: [{name: " + db + ", condition: healthy}]")));
        daemon.await("the app recreated and running", () -> Docker.run("inspect", "berth-" + app).exit() == 0
                && !Docker.inspect("berth-" + app, "{{.Id}}").equals(appId)
                && Docker.inspect("berth-" + app, "{{.State.Running}}").equals("true"));
        assertThat(Docker.inspect("berth-" + db, "{{.Id}}")).as("db recreated").isNotEqualTo(dbId);
        Instant newAppStarted = Instant.parse(Docker.inspect("berth-" + app, "{{.State.StartedAt}}"));
        String newPasses = Docker.inspect("berth-" + db, "{{range .State.Health.Log}}{{if eq .ExitCode 0}}{{.End.Format \"2006-01-02T15:04:05.999999999Z07:00\"}} {{end}}{{end}}");
        assertThat(newPasses).as("the new db's passing probes").isNotBlank();
        assertThat(newAppStarted).as("the new app started after the new db became healthy")
                .isAfter(Instant.parse(newPasses.trim().split(" ")[0]));
    }
}
