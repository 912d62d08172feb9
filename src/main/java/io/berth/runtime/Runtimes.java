package io.berth.runtime;

import io.berth.manifest.Kind;
import io.berth.runtime.docker.DockerRuntime;
import io.berth.runtime.libvirt.LibvirtRuntime;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The runtimes of this host for one agent: Docker always; libvirt where its client library is
 * installed (a container-only host simply has no VM runtime). Used by the CLI and the daemon alike.
 */
public final class Runtimes {

    private Runtimes() {
    }

    /** DOCKER_HOST and BERTH_LIBVIRT_URI choose the daemons; VM files live under {@code stateDir}. */
    public static Map<Kind, Runtime> forAgent(String agent, Path stateDir) {
        Map<Kind, Runtime> runtimes = new EnumMap<>(Kind.class);
        runtimes.put(Kind.Container, new DockerRuntime(agent));
        if (LibvirtRuntime.installed()) {
            runtimes.put(Kind.VirtualMachine, new LibvirtRuntime(agent,
                    System.getenv().getOrDefault("BERTH_LIBVIRT_URI", "qemu:///system"), stateDir));
        }
        return runtimes;
    }
}
