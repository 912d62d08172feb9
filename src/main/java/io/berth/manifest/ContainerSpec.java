package io.berth.manifest;

import java.util.List;

/**
 * A container's spec, normalised: lists are never null (empty when absent), enums carry their
 * defaults, optional blocks are null when absent.
 */
public record ContainerSpec(String image, PullPolicy imagePullPolicy, List<String> command, List<String> args,
                            List<EnvVar> env, List<Port> ports, List<VolumeMount> volumes,
                            RestartPolicy restartPolicy, HealthCheck healthCheck,
                            SecurityContext securityContext) implements WorkloadSpec {

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

    /** user is null when the image's default user applies. */
    public record SecurityContext(String user, boolean readOnlyRootFilesystem, boolean privileged) {
    }
}
