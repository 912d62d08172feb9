package io.berth.manifest;

import static io.berth.manifest.SchemaObject.enumOf;
import static io.berth.manifest.SchemaObject.listOf;
import static io.berth.manifest.SchemaObject.of;
import static io.berth.manifest.SchemaObject.ref;
import static io.berth.manifest.SchemaObject.with;
import static io.berth.manifest.SchemaTypes.*;

import io.berth.manifest.ContainerSpec.Protocol;
import io.berth.manifest.ContainerSpec.PullPolicy;
import io.berth.manifest.ContainerSpec.RestartPolicy;
import java.util.List;

/**
 * The {@code spec} of {@code kind: Container} and its nested mappings as {@link SchemaObject}s, in
 * the order of {@link ContainerSpecParser#FIELDS} (the canonical form's), with the defaults that
 * parser fills. Pure.
 */
final class ContainerSchema {

    private ContainerSchema() {
    }

    static SchemaObject spec() {
        return new SchemaObject("A Docker container with hard CPU, memory and pids limits.")
                .required("image", IMAGE, "The image to run: [registry[:port]/]name[:tag][@sha256:digest].", "nginx:1.27")
                .optional("imagePullPolicy", enumOf(PullPolicy.class, PullPolicy.IfNotPresent),
                        "When to pull: Always, IfNotPresent (only when missing) or Never (the image must be local).", "IfNotPresent")
                .optional("command", STRINGS, "Replaces the image's ENTRYPOINT.", List.of("nginx"))
                .optional("args", STRINGS, "Replaces the image's CMD.", List.of("-g", "daemon off;"))
                .optional("env", listOf(ref("EnvVar")), "Environment variables, each name once.",
                        List.of(of("name", "MODE", "value", "prod")))
                .optional("ports", listOf(ref("Port")), "Container ports, optionally published on the host; each hostIP, "
                        + "hostPort and protocol at most once.", List.of(of("containerPort", 80, "hostPort", 8080)))
                .optional("volumes", listOf(ref("VolumeMount")), "Docker named volumes to mount (never host paths); "
                        + "each mountPath once.", List.of(of("name", "web-data", "mountPath", "/data")))
                .optional("restartPolicy", enumOf(RestartPolicy.class, RestartPolicy.Always),
                        "What Berth does when the container exits: Always restart, restart OnFailure (non-zero exit), or Never.",
                        "Always")
                .optional("healthCheck", ref("HealthCheck"), "A command run inside the container to tell healthy from not.", null)
                .optional("securityContext", ref("SecurityContext"), "The user and privileges the container runs with.", null)
                .optional("networks", listOf(ref("NetworkAttachment")), "Berth networks to join instead of Docker's default "
                        + "bridge; each once. Changed in place (connect/disconnect).", List.of(of("name", "backend", "aliases", List.of("db"))))
                .optional(SecretsParser.FIELD, listOf(ref("Secret")), "Host files mounted read-only into the container (from a "
                        + "tmpfs, never into the image or a volume), each name and mountPath once. The value is read at every "
                        + "plan and apply; a changed file recreates the container. It never appears in labels, plans or the API.",
                        List.of(of("name", "db-password", "file", "/etc/berth/secrets/db-password",
                                "mountPath", "/run/secrets/db-password", "mode", "0400")))
                .required("resources", ref("ContainerResources"), "Hard limits: Berth only runs hard-limited workloads.", null)
                .optional("placement", ref("Placement"), "Which hosts run this workload; absent means every host.", null)
                .optional("dependsOn", ManifestSchema.DEPENDS_ON, ManifestSchema.DEPENDS_ON_TEXT, ManifestSchema.DEPENDS_ON_EXAMPLE);
    }

    static SchemaObject envVar() {
        return new SchemaObject("One environment variable.")
                .required("name", ENV_NAME, "The variable's name: letters, digits and '_', not starting with a digit.", "LOG_LEVEL")
                .required("value", ENV_VALUE, "The value, taken as written (no is \"no\", 0123 is \"0123\"); write \"\" for empty.",
                        "info");
    }

    static SchemaObject port() {
        return new SchemaObject("A container port, published on the host when hostPort is set.")
                .required("containerPort", integer(1, 65535), "The port the process listens on inside the container.", 80)
                .optional("hostPort", with(integer(0, 65535), "default", 0),
                        "The host port to publish on; 0 or absent publishes nothing.", 8080)
                .optional("hostIP", IP, "The host address to publish on (IPv4 or IPv6); absent means all addresses. "
                        + "Needs hostPort.", "127.0.0.1")
                .optional("protocol", enumOf(Protocol.class, Protocol.tcp), "tcp or udp.", "tcp")
                // A host address without a host port would publish nothing: refused, as the parser does.
                .rule(of("if", of("required", List.of("hostIP")),
                        "then", of("required", List.of("hostPort"), "properties", of("hostPort", of("minimum", 1)))));
    }

    static SchemaObject volume() {
        return new SchemaObject("A Docker named volume mounted into the container.")
                .required("name", VOLUME_NAME, "The named volume (created when missing, kept when the container goes).", "web-data")
                .required("mountPath", ABSOLUTE_PATH, "Where it appears in the container: an absolute path, not \"/\".", "/data")
                .optional("readOnly", BOOLEAN, "Mount read-only.", false);
    }

    static SchemaObject secret() {
        return new SchemaObject("A secret file: its value is read from a host file and mounted read-only into the container.")
                .required("name", NAME, "The secret's name: a DNS label, unique in the workload; plans name it.", "db-password")
                .required("file", of("type", "string", "minLength", 1, "maxLength", 4096),
                        "The host file holding the value (at most 1 MiB), read by the process that plans or applies: an "
                        + "absolute path, or one relative to the manifest's directory.", "/etc/berth/secrets/db-password")
                .required("mountPath", ABSOLUTE_PATH, "Where the file appears in the container: an absolute path, not \"/\", "
                        + "not on or inside a volume's or another secret's mountPath.", "/run/secrets/db-password")
                .optional("mode", of("type", "string", "pattern", "^0?[0-7]{3}$", "default", "0400"),
                        "The file's permission bits inside the container, as an octal string.", "0440")
                .optional("uid", with(integer(0, SecretsParser.MAX_ID), "default", 0),
                        "The file's owner inside the container (give the container's user when it is not root).", 1000)
                .optional("gid", with(integer(0, SecretsParser.MAX_ID), "default", 0), "The file's group inside the container.", 1000);
    }

    static SchemaObject healthCheck() {
        return new SchemaObject("Docker's health check: the command's exit status says healthy (0) or not.")
                .required("command", with(STRINGS, "minItems", 1), "The command to run in the container (exec form, no shell).",
                        List.of("wget", "-qO-", "http://127.0.0.1/"))
                .optional("interval", with(DURATION, "default", Quantities.formatDuration(ContainerSpecParser.DEFAULT_INTERVAL)),
                        "Time between checks: h, m, s, ms (\"10s\", \"1m30s\").", "10s")
                .optional("timeout", with(DURATION, "default", Quantities.formatDuration(ContainerSpecParser.DEFAULT_TIMEOUT)),
                        "How long one check may take; at most the interval (unset, it shrinks to fit).", "2s")
                .optional("retries", with(integer(1, 10_000), "default", ContainerSpecParser.DEFAULT_RETRIES),
                        "Failures in a row before the container counts as unhealthy.", 3);
    }

    static SchemaObject securityContext() {
        return new SchemaObject("The user and privileges the container runs with.")
                .optional("user", USER, "uid, uid:gid or a user name of the image; absent means the image's user.", "1000")
                .optional("readOnlyRootFilesystem", BOOLEAN, "Mount the container's root filesystem read-only.", true)
                .optional("privileged", BOOLEAN, "A privileged container is root on the host: denied unless the agent runs "
                        + "with BERTH_ALLOW_PRIVILEGED=true.", false);
    }
}
