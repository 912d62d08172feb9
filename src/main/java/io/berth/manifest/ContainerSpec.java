package io.berth.manifest;

import java.util.List;

/**
 * A container's spec, normalised: lists are never null (empty when absent), enums carry their
 * defaults, optional blocks are null when absent.
 */
public record ContainerSpec(String image, PullPolicy imagePullPolicy, List<String> command, List<String> args,
                            List<EnvVar> env, List<Port> ports, List<VolumeMount> volumes,
                            RestartPolicy restartPolicy, HealthCheck healthCheck,
                            SecurityContext securityContext, List<NetworkAttachment> networks) implements WorkloadSpec {

    public ContainerSpec {
        // Order carries no meaning on either level: sorted, so a reordered manifest is no change.
        networks = networks == null ? List.of() : sortedNetworks(networks);
    }

    /** Networks by name, each one's aliases sorted. */
    public static List<NetworkAttachment> sortedNetworks(List<NetworkAttachment> networks) {
        return networks.stream().map(n -> new NetworkAttachment(n.name(), n.aliases().stream().sorted().toList()))
                .sorted(java.util.Comparator.comparing(NetworkAttachment::name)).toList();
    }

    /** On no networks of Berth's (Docker's default bridge): the spec as before networks existed. */
    public ContainerSpec(String image, PullPolicy imagePullPolicy, List<String> command, List<String> args,
                         List<EnvVar> env, List<Port> ports, List<VolumeMount> volumes,
                         RestartPolicy restartPolicy, HealthCheck healthCheck, SecurityContext securityContext) {
        this(image, imagePullPolicy, command, args, env, ports, volumes, restartPolicy, healthCheck, securityContext, List.of());
    }

    /** A copy on other networks (what the runtime reports attached, for the planner to compare). */
    public ContainerSpec withNetworks(List<NetworkAttachment> attached) {
        return new ContainerSpec(image, imagePullPolicy, command, args, env, ports, volumes, restartPolicy, healthCheck,
                securityContext, attached);
    }

    public enum PullPolicy { Always, IfNotPresent, Never }

    public enum RestartPolicy { Always, OnFailure, Never }

    public enum Protocol { tcp, udp }

    public record EnvVar(String name, String value) {
    }

    /** hostPort 0 and hostIP null mean "not published on the host" / "all addresses". */
    public record Port(int containerPort, int hostPort, String hostIP, Protocol protocol) {
    }

    public record VolumeMount(String name, String mountPath, boolean readOnly) {
    }

    /** Durations in milliseconds. */
    public record HealthCheck(List<String> command, long intervalMillis, long timeoutMillis, int retries) {
    }

    /** A Berth network ({@code kind: Network}) the container joins, with extra DNS names on it. */
    public record NetworkAttachment(String name, List<String> aliases) {
        public NetworkAttachment {
            aliases = List.copyOf(aliases);
        }
    }

    /** user is null when the image's default user applies. */
    public record SecurityContext(String user, boolean readOnlyRootFilesystem, boolean privileged) {
    }
}
