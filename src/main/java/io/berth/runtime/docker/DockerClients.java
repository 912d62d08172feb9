package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.time.Duration;

/**
 * Builds the docker-java client. The API version is deliberately left unset: docker-java then
 * sends unversioned paths and the engine answers with its own newest API, which is the only way to
 * work with both Docker 20.10 (API 1.41) and Docker 29 (minimum API 1.44). Every call is bounded
 * by the connection and response timeouts.
 */
final class DockerClients {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private DockerClients() {
    }

    static String host() {
        String env = System.getenv("DOCKER_HOST");
        return env == null || env.isBlank() ? "unix:///var/run/docker.sock" : env;
    }

    static DockerClient create(String host) {
        return create(host, RESPONSE_TIMEOUT);
    }

    /**
     * A client whose reads never time out, for streams that may stay silent for long (the event
     * stream, {@code logs -f}); zero means "no timeout" to the HTTP client. Connecting is still bounded.
     */
    static DockerClient streaming(String host) {
        return create(host, Duration.ZERO);
    }

    private static DockerClient create(String host, Duration responseTimeout) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(responseTimeout)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
