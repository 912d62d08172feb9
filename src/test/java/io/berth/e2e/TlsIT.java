package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon served over TLS with Quarkus' own keys (a self-signed certificate made with openssl),
 * plain HTTP refused, and the CLI trusting it through --ca-file; without it, a clear refusal.
 */
class TlsIT {

    final String agentName = "e2e-tls-" + UUID.randomUUID().toString().substring(0, 6);

    @TempDir
    Path dir;

    Process daemon;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theApiIsServedOverTlsAndTheCliTrustsItsCertificateThroughCaFile() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Processes.Result gen = Processes.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"), Map.of(), dir, Duration.ofSeconds(60));
        assertThat(gen.exit()).as(gen.err()).isZero();
        int https = freePort();
        int http = freePort();
        Path manifests = Files.createDirectory(dir.resolve("manifests"));
        Path state = Files.createDirectory(dir.resolve("state"));
        ProcessBuilder pb = new ProcessBuilder(Agent.root().resolve("agent").toString(), "serve", "--manifests",
                manifests.toString(), "--state-dir", state.toString(), "--listen", "127.0.0.1:" + http,
                "--agent-name", agentName).redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile());
        pb.environment().putAll(Map.of("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", cert.toString(),
                "QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES", key.toString(), "QUARKUS_HTTP_SSL_PORT", Integer.toString(https),
                "QUARKUS_HTTP_INSECURE_REQUESTS", "disabled"));
        daemon = pb.start();

        Agent agent = new Agent(agentName);
        Map<String, String> env = Map.of("BERTH_TOKEN", "unused-until-read");
        String server = "https://127.0.0.1:" + https;
        Agent.Result ok = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            if (!Files.exists(state.resolve("token"))) {
                continue;
            }
            ok = agent.run(Map.of("BERTH_TOKEN", Files.readString(state.resolve("token")).strip()),
                    "get", "--server", server, "--ca-file", cert.toString());
            if (ok.exit() == 0) {
                break;
            }
        }
        assertThat(ok).as(Files.readString(dir.resolve("daemon.log"))).isNotNull();
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("NAME", "PHASE");

        Agent.Result untrusted = agent.run(env, "get", "--server", server);
        assertThat(untrusted.exit()).as(untrusted.toString()).isEqualTo(3);
        assertThat(untrusted.err()).contains("cannot talk securely to the Berth daemon").contains("--ca-file");

        Agent.Result plain = agent.run(env, "get", "--server", "http://127.0.0.1:" + http);
        assertThat(plain.exit()).as("plain HTTP is refused: " + plain).isEqualTo(3);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
