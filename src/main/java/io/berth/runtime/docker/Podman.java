package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.VersionComponent;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.berth.manifest.Resources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Podman's Docker-compatible API ({@code podman system service}), which this runtime speaks as it
 * speaks Docker's. Where Podman 4 answers differently, the difference is handled where the answer
 * is read, and this class names them all:
 * <ul>
 *   <li>{@code /version}: {@code ApiVersion} 1.41 and {@code MinAPIVersion} 1.24 like Docker 20.10,
 *       plus a component "Podman Engine" with Podman's own version ({@link #version}).</li>
 *   <li>Inspect without a health check: {@code State.Health} is there with an empty
 *       {@code Status} where Docker leaves it out ({@link ContainerObserver} reads both as none).</li>
 *   <li>Restart policy "no" where Docker shows "" (Berth never asks the engine to restart).</li>
 *   <li>cgroups: {@code libpod_parent/libpod-ID} under cgroupfs, {@code machine.slice/libpod-ID.scope}
 *       under systemd, where Docker has {@code docker/ID} (the stats package looks in both places).</li>
 *   <li>A taken name: 500 "that name is already in use" where Docker answers 409 ({@link DockerErrors}).</li>
 *   <li>No {@code POST /containers/{id}/update} (404): {@link DockerRuntime#updateLimits} uses Podman's
 *       own {@code /libpod/containers/{id}/update} ({@link #updateLimits}), which changes the cgroup
 *       live, but fails on a stopped container, is lost on the next start, and never shows in
 *       inspect (containers/podman#17187); so on Podman the observed limits say they are fixed
 *       ({@link #limitsFixed}) and the plan recreates the container for a limit change (named
 *       volumes kept); {@link DockerRuntime#update} recreates too, should it be called there.</li>
 *   <li>Health checks are run by systemd timers: without systemd they never run (State.Health
 *       stays "starting").</li>
 * </ul>
 */
final class Podman {

    private Podman() {
    }

    /** Podman's version when the engine is Podman, else null. */
    static String version(Version v) {
        if (v == null || v.getComponents() == null) {
            return null;
        }
        for (VersionComponent c : v.getComponents()) {
            if ("Podman Engine".equals(c.getName())) {
                return c.getVersion();
            }
        }
        return null;
    }

    /**
     * Why a container's limits cannot change in place on this Podman (every Podman Berth knows:
     * 4.3 is the one it is tested with; a later one that keeps its update is not known here).
     */
    static String limitsFixed(String podmanVersion) {
        return "Podman " + podmanVersion + " cannot change limits in place for good (its update is lost on the"
                + " next start: containers/podman#17187); the container is recreated, named volumes kept";
    }

    /**
     * New hard limits through Podman's own API (blocking, one request): CPU as a CFS quota per
     * 100 ms, memory with swap equal to it (the OCI spec's swap is memory plus swap: no swap), pids.
     *
     * @throws DockerException Podman's answer when it refuses (translated by {@link DockerErrors})
     */
    static void updateLimits(DockerClient docker, String podmanVersion, String id, Resources r) {
        long memory = r.limits().memoryBytes();
        String body = "{\"cpu\":{\"quota\":" + r.limits().cpuMillis() * 100 + ",\"period\":100000},"
                + "\"memory\":{\"limit\":" + memory + ",\"swap\":" + memory + "},\"pids\":{\"limit\":" + r.pids() + "}}";
        DockerHttpClient http = ((DockerClientImpl) docker).getHttpClient();
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.POST)
                .path("/v" + podmanVersion + "/libpod/containers/" + id + "/update")
                .putHeader("Content-Type", "application/json")
                .bodyBytes(body.getBytes(StandardCharsets.UTF_8))
                .build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            if (response.getStatusCode() >= 300) {
                String answer = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
                throw new DockerException("Status " + response.getStatusCode() + ": " + answer, response.getStatusCode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A DOCKER_HOST that names Podman's socket (for messages only: behaviour never depends on it). */
    static boolean socket(String host) {
        return host != null && host.contains("podman");
    }
}
