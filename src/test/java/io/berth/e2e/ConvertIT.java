package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Docker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./agent convert} as a user runs it: the shop Compose file (networks, depends_on
 * service_healthy, a file secret, a named volume, a {@code build:} key) converts with exit 1 naming
 * the build with its line; the same stack with an image instead converts with exit 0, and
 * {@code ./agent apply --local} of the converted directory runs it on the real Docker Engine: the web
 * answers on its published port, the app reaches the db by name over the internal network, the web
 * (on the other network only) does not; {@code ./agent delete --local} leaves no container and no
 * network behind, and keeps the named volume (Berth never deletes data it was not asked to).
 */
class ConvertIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-convert-" + id;
    final Agent agent = Agent.local(agentName);
    final String volume = "shop-" + id + "_dbdata";

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        Docker.removeAgentContainers(agentName);
        String nets = Docker.ok("network", "ls", "-q", "--filter", "label=io.berth.agent=" + agentName);
        for (String n : nets.isBlank() ? new String[0] : nets.split("\\s+")) {
            Docker.run("network", "rm", n);
        }
        Docker.run("volume", "rm", volume);
    }

    @Test
    void theShopConvertsAndTheConvertedStackRunsOnDocker() throws Exception {
        Agent.Result shop = agent.run("convert", "-f", "src/test/resources/compose/shop.yml", "-o", dir.resolve("shop").toString());
        assertThat(shop.exit()).as(shop.toString()).isEqualTo(1);
        assertThat(shop.err()).contains("src/test/resources/compose/shop.yml:27:5: services.app.build: not carried (Berth runs images")
                .doesNotContain("services.app.secrets").contains("5 manifests written to");
        Agent.Result valid = agent.run("validate", "-f", dir.resolve("shop").toString());
        assertThat(valid.exit()).as(valid.toString()).isZero();
        assertThat(valid.out()).contains("3 workloads valid.");

        int port = 20000 + (int) (Math.random() * 9000);
        Path compose = dir.resolve("runnable/compose.yml");
        Files.createDirectories(compose.getParent());
        Files.writeString(compose, Files.readString(Path.of("src/test/resources/compose/shop-runnable.yml"))
                .replace("XID", id).replace("PORT", Integer.toString(port)));
        String password = "pw-" + java.util.UUID.randomUUID();
        Files.writeString(compose.resolveSibling("db_password.txt"), password);
        Path manifests = dir.resolve("berth");
        Agent.Result converted = agent.run("convert", "-f", compose.toString(), "-o", manifests.toString());
        assertThat(converted.exit()).as(converted.toString()).isZero();
        assertThat(converted.err()).endsWith("5 manifests written to " + manifests + "; every key carried\n");

        Agent.Result applied = agent.run("apply", "-f", manifests.toString());
        assertThat(applied.exit()).as(applied.toString()).isZero();
        String web = "berth-web-" + id;
        String app = "berth-app-" + id;
        assertThat(Docker.inspect(app, "{{.State.Health.Status}}")).as("the web waited for the app's health").isEqualTo("healthy");
        assertThat(Docker.inspect(web, "{{.State.Running}}")).isEqualTo("true");
        assertThat(fetch("http://127.0.0.1:" + port + "/")).contains("shop-ok");
        assertThat(get(app, "db-" + id).out()).as("app to db by name on the back network").contains("db-ok");
        assertThat(get(web, "db-" + id).out()).as("the web is not on the back network").doesNotContain("db-ok");
        assertThat(Docker.inspect("berth-db-" + id, "{{range .Mounts}}{{.Name}}{{end}}")).isEqualTo(volume);
        assertThat(Docker.ok("exec", "berth-db-" + id, "cat", "/run/secrets/db_password")).as("the file secret").isEqualTo(password);
        assertThat(Docker.ok("exec", "berth-db-" + id, "stat", "-c", "%a", "/run/secrets/db_password").trim()).isEqualTo("440");
        assertThat(Docker.ok("inspect", "berth-db-" + id)).doesNotContain(password);
        assertThat(Docker.ok("network", "inspect", "-f", "{{.Internal}}", "berth-shop-" + id + "-back")).isEqualTo("true");
        Agent.Result again = agent.run("plan", "-f", manifests.toString());
        assertThat(again.out()).as(again.toString()).contains("No changes");

        Agent.Result deleted = agent.run("delete", "-f", manifests.toString());
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(Docker.ok("ps", "-aq", "--filter", "label=io.berth.agent=" + agentName)).isEmpty();
        assertThat(Docker.ok("network", "ls", "-q", "--filter", "label=io.berth.agent=" + agentName)).isEmpty();
        assertThat(Docker.run("volume", "inspect", volume).exit()).as("the named volume is kept").isZero();
    }

    /** An HTTP GET to {@code host}:8080 from inside {@code from}, with a 3 s deadline (busybox nc, as NetworksIT). */
    static Docker.Result get(String from, String host) {
        return Docker.run("exec", from, "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + host + " 8080");
    }

    static String fetch(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        Exception last = null;
        for (int i = 0; i < 20; i++) {
            try {
                return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw last;
    }
}
