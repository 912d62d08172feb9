package io.berth.runtime.docker;

import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.VersionComponent;

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
 * </ul>
 * Pure.
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

    /** A DOCKER_HOST that names Podman's socket (for messages only: behaviour never depends on it). */
    static boolean socket(String host) {
        return host != null && host.contains("podman");
    }
}
