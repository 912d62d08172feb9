package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The docker-java clients of one engine, speaking the API version negotiated with it
 * ({@link ApiVersions}): the first call asks the engine's unversioned {@code GET /version}, and
 * every request after that goes to {@code /v<negotiated>/...}. After the engine went away (or
 * refused the version, as after an upgrade under a running Berth) the next call asks again, and
 * the clients are replaced only when the answer changed. Every call is bounded by the connection
 * and response timeouts. Thread-safe; negotiating blocks (one short request).
 */
final class DockerClients implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * What one negotiation found.
     *
     * @param engine   the engine's own {@code /version} answer
     * @param api      the version every request speaks
     * @param warnings the engine is outside what Berth was checked against (else empty)
     */
    record Negotiated(Version engine, String api, List<String> warnings, DockerClient requests,
                      AtomicReference<DockerClient> streams) {
    }

    private final String host;
    private volatile Negotiated current;
    private volatile boolean stale;

    DockerClients(String host) {
        this.host = host;
    }

    static String host() {
        String env = System.getenv("DOCKER_HOST");
        return env == null || env.isBlank() ? "unix:///var/run/docker.sock" : env;
    }

    /** For ordinary calls: bounded reads. */
    DockerClient requests() {
        return negotiated().requests();
    }

    /**
     * For streams that may stay silent for long (the event stream, {@code logs -f}): reads never
     * time out (zero means "no timeout" to the HTTP client); connecting is still bounded.
     */
    DockerClient streams() {
        Negotiated n = negotiated();
        return n.streams().updateAndGet(c -> c != null ? c : build(host, n.api(), Duration.ZERO));
    }

    /** Negotiates on first use and after {@link #engineLost()}. */
    Negotiated negotiated() {
        Negotiated n = current;
        if (n != null && !stale) {
            return n;
        }
        synchronized (this) {
            if (current != null && !stale) {
                return current;
            }
            Version engine;
            try (DockerClient probe = build(host, null, RESPONSE_TIMEOUT)) {
                engine = probe.versionCmd().exec(); // unversioned: every engine answers it
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // closing the probe: never happens in practice
            }
            ApiVersions.Choice choice = ApiVersions.choose(engine.getApiVersion(), engine.getMinAPIVersion());
            Negotiated old = current;
            if (old != null && old.api().equals(choice.version())) {
                current = new Negotiated(engine, old.api(), choice.warnings(), old.requests(), old.streams());
            } else {
                current = new Negotiated(engine, choice.version(), choice.warnings(),
                        build(host, choice.version(), RESPONSE_TIMEOUT), new AtomicReference<>());
                if (old != null) {
                    closeAll(old); // its streams end, and their owners reopen them on the new client
                }
            }
            stale = false;
            return current;
        }
    }

    /** The engine did not answer, or refused the version: ask it again on the next call. */
    void engineLost() {
        stale = true;
    }

    /** A client of this engine at one API version, or unversioned when {@code api} is null. */
    static DockerClient build(String host, String api, Duration responseTimeout) {
        DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host);
        if (api != null) {
            config.withApiVersion(api);
        }
        DefaultDockerClientConfig built = config.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(built.getDockerHost())
                .sslConfig(built.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(responseTimeout)
                .build();
        return DockerClientImpl.getInstance(built, http);
    }

    @Override
    public synchronized void close() {
        Negotiated n = current;
        current = null;
        if (n != null) {
            closeAll(n);
        }
    }

    private static void closeAll(Negotiated n) {
        try {
            n.requests().close();
            DockerClient s = n.streams().get();
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing a socket client: nothing to recover
        }
    }
}
