package io.berth.manifest;

import java.util.List;

/**
 * A container's spec, normalised: lists are never null (empty when absent), enums carry their
 * defaults, optional blocks are null when absent.
 */
public record ContainerSpec(String image, PullPolicy imagePullPolicy, List<String> command, List<String> args,
                            List<EnvVar> env, List<Port> ports, List<VolumeMount> volumes,
                            RestartPolicy restartPolicy, HealthCheck healthCheck,
                            SecurityContext securityContext, List<NetworkAttachment> networks,
                            List<Secret> secrets) implements WorkloadSpec {

    public ContainerSpec {
        // Order carries no meaning on either level: sorted, so a reordered manifest is no change.
        networks = networks == null ? List.of() : sortedNetworks(networks);
        // In written order, so errors can point at entry i; the canonical form sorts them by name.
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    /** Without secrets. */
    public ContainerSpec(String image, PullPolicy imagePullPolicy, List<String> command, List<String> args,
                         List<EnvVar> env, List<Port> ports, List<VolumeMount> volumes,
                         RestartPolicy restartPolicy, HealthCheck healthCheck, SecurityContext securityContext,
                         List<NetworkAttachment> networks) {
        this(image, imagePullPolicy, command, args, env, ports, volumes, restartPolicy, healthCheck, securityContext,
                networks, List.of());
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
                securityContext, attached, secrets);
    }

    /** A copy with these secrets (their contents read, or redacted). */
    public ContainerSpec withSecrets(List<Secret> replaced) {
        return new ContainerSpec(image, imagePullPolicy, command, args, env, ports, volumes, restartPolicy, healthCheck,
                securityContext, networks, replaced);
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

    /**
     * A file mounted read-only into the container ({@code spec.secrets}).
     *
     * @param file      the absolute host path its value is read from (a relative one was resolved
     *                  against the manifest's directory)
     * @param mode      the file's permission bits inside the container (0400 by default)
     * @param content   null until the loader read {@code file} ({@link SecretFiles}); then the value, one
     *                  char per byte (ISO-8859-1, so any bytes round-trip); in a record Berth wrote, its
     *                  keyed digest ({@link Redaction}). Never printed: {@link #toString} leaves it out.
     */
    public record Secret(String name, String file, String mountPath, int mode, int uid, int gid, String content) {

        public static final int DEFAULT_MODE = 0400;

        /** The value's bytes, as read from the file. */
        public byte[] bytes() {
            return content.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        public Secret withContent(String c) {
            return new Secret(name, file, mountPath, mode, uid, gid, c);
        }

        /** The mode in manifest spelling ("0400"). */
        public String modeText() {
            return String.format("%04o", mode);
        }

        @Override
        public String toString() {
            return "Secret[name=" + name + ", file=" + file + ", mountPath=" + mountPath + ", mode=" + modeText()
                    + ", uid=" + uid + ", gid=" + gid + ", content=" + (content == null ? "unread" : Redaction.MASK) + "]";
        }
    }

    /** user is null when the image's default user applies. */
    public record SecurityContext(String user, boolean readOnlyRootFilesystem, boolean privileged) {
    }
}
