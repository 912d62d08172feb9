package io.berth.manifest;

import io.berth.manifest.ContainerSpec.EnvVar;
import io.berth.manifest.ContainerSpec.HealthCheck;
import io.berth.manifest.ContainerSpec.Port;
import io.berth.manifest.ContainerSpec.Protocol;
import io.berth.manifest.ContainerSpec.PullPolicy;
import io.berth.manifest.ContainerSpec.RestartPolicy;
import io.berth.manifest.ContainerSpec.SecurityContext;
import io.berth.manifest.ContainerSpec.VolumeMount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the container-only fields of {@code spec} into a {@link ContainerSpec}, filling defaults.
 * Not thread-safe: one per parse.
 */
final class ContainerSpecParser {

    /** In the contract's order, which is also the canonical form's. */
    static final List<String> FIELDS = List.of("image", "imagePullPolicy", "command", "args", "env", "ports", "volumes",
            "restartPolicy", "healthCheck", "securityContext", "networks", SecretsParser.FIELD);
    static final List<String> ENV = List.of("name", "value");
    static final List<String> PORT = List.of("containerPort", "hostPort", "hostIP", "protocol");
    static final List<String> VOLUME = List.of("name", "mountPath", "readOnly");
    static final List<String> HEALTH = List.of("command", "interval", "timeout", "retries");
    static final List<String> SECURITY = List.of("user", "readOnlyRootFilesystem", "privileged");

    static final long DEFAULT_INTERVAL = 30_000;
    static final long DEFAULT_TIMEOUT = 5_000;
    static final int DEFAULT_RETRIES = 3;

    private final NodeReader r;
    private final HostPolicy policy;
    /** Each volume's mountPath (no trailing '/') and where it is written, for the secrets' clash check. */
    private final Map<String, Node> volumeMounts = new HashMap<>();

    ContainerSpecParser(NodeReader reader, HostPolicy policy) {
        this.r = reader;
        this.policy = policy;
    }

    /** The spec, or null if anything in it is wrong (errors recorded). */
    ContainerSpec parse(Fields spec) {
        int before = r.errorCount();
        String image = spec.requiredString("image", "the image to run, like \"nginx:1.27\"");
        if (image != null && Syntax.imageReference(image) != null) {
            r.error(spec.get("image"), spec.path("image"), Syntax.imageReference(image));
        }
        PullPolicy pull = spec.enumValue("imagePullPolicy", PullPolicy.class, PullPolicy.IfNotPresent);
        List<String> command = spec.strings("command");
        List<String> args = spec.strings("args");
        List<EnvVar> env = env(spec);
        List<Port> ports = ports(spec);
        List<VolumeMount> volumes = volumes(spec);
        RestartPolicy restart = spec.enumValue("restartPolicy", RestartPolicy.class, RestartPolicy.Always);
        HealthCheck health = healthCheck(spec);
        SecurityContext security = securityContext(spec);
        List<ContainerSpec.NetworkAttachment> networks = new NetworkParser(r).attachments(spec);
        List<ContainerSpec.Secret> secrets = new SecretsParser(r, policy).parse(spec, volumeMounts);
        if (r.errorCount() > before) {
            return null;
        }
        return new ContainerSpec(image, pull, command, args, env, ports, volumes, restart, health, security, networks, secrets);
    }

    private List<EnvVar> env(Fields spec) {
        List<EnvVar> out = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        List<Node> items = spec.sequence("env");
        for (int i = 0; items != null && i < items.size(); i++) {
            Fields e = r.fields(items.get(i), spec.path("env") + "[" + i + "]", ENV);
            if (e == null) {
                continue;
            }
            String name = e.requiredString("name", null);
            String value = e.requiredString("value", "write value: \"\" for an empty value");
            if (name != null && Syntax.envName(name) != null) {
                r.error(e.get("name"), e.path("name"), Syntax.envName(name));
            } else if (name != null && seen.containsKey(name)) {
                r.error(e.get("name"), e.path("name"), "duplicate environment variable " + Messages.quote(name)
                        + " (first set at line " + r.origin(seen.get(name)).line() + ")");
            } else if (name != null) {
                seen.put(name, e.get("name"));
            }
            if (name != null && value != null) {
                out.add(new EnvVar(name, value));
            }
        }
        return List.copyOf(out);
    }

    private List<Port> ports(Fields spec) {
        List<Port> out = new ArrayList<>();
        List<Node> published = new ArrayList<>(); // hostPort nodes of out's published entries, for messages
        List<Node> items = spec.sequence("ports");
        for (int i = 0; items != null && i < items.size(); i++) {
            Fields p = r.fields(items.get(i), spec.path("ports") + "[" + i + "]", PORT);
            if (p == null) {
                continue;
            }
            Node cp = p.require("containerPort", "valid: 1 to 65535");
            Long containerPort = cp == null ? null : r.integer(cp, p.path("containerPort"), 1, 65535);
            Long hostPort = p.has("hostPort") ? p.integer("hostPort", 0, 65535) : Long.valueOf(0);
            String hostIP = p.string("hostIP");
            if (hostIP != null && Syntax.ipLiteral(hostIP) != null) {
                r.error(p.get("hostIP"), p.path("hostIP"), Syntax.ipLiteral(hostIP));
                hostIP = null;
            } else if (hostIP != null && hostPort != null && hostPort == 0) {
                r.error(p.get("hostIP"), p.path("hostIP"), "is set but hostPort is not (a port is published on the host "
                        + "only when hostPort is 1 to 65535)");
            }
            Protocol protocol = p.enumValue("protocol", Protocol.class, Protocol.tcp);
            if (containerPort == null || hostPort == null || protocol == null) {
                continue;
            }
            Port port = new Port(containerPort.intValue(), hostPort.intValue(), hostIP, protocol);
            for (int j = 0; port.hostPort() > 0 && j < out.size(); j++) {
                if (clash(out.get(j), port)) {
                    r.error(p.get("hostPort"), p.path("hostPort"), "host port " + describe(port) + " is already published at line "
                            + r.origin(published.get(j)).line() + " (valid: each hostIP, hostPort and protocol once)");
                    break;
                }
            }
            out.add(port);
            published.add(p.get("hostPort") != null ? p.get("hostPort") : p.node());
        }
        return List.copyOf(out);
    }

    /** Two published ports collide on the same port and protocol when addresses match or either is "all". */
    private static boolean clash(Port a, Port b) {
        return a.hostPort() == b.hostPort() && a.protocol() == b.protocol()
                && (a.hostIP() == null || b.hostIP() == null || a.hostIP().equals(b.hostIP()));
    }

    private static String describe(Port p) {
        return (p.hostIP() == null ? "" : p.hostIP().contains(":") ? "[" + p.hostIP() + "]:" : p.hostIP() + ":")
                + p.hostPort() + "/" + p.protocol();
    }

    private List<VolumeMount> volumes(Fields spec) {
        List<VolumeMount> out = new ArrayList<>();
        Map<String, Node> mounts = volumeMounts;
        List<Node> items = spec.sequence("volumes");
        for (int i = 0; items != null && i < items.size(); i++) {
            Fields v = r.fields(items.get(i), spec.path("volumes") + "[" + i + "]", VOLUME);
            if (v == null) {
                continue;
            }
            String name = v.requiredString("name", "a Docker named volume, like \"web-data\"");
            if (name != null && Syntax.volumeName(name) != null) {
                r.error(v.get("name"), v.path("name"), Syntax.volumeName(name));
            }
            String mountPath = v.requiredString("mountPath", "an absolute path in the container, like \"/data\"");
            if (mountPath != null && Syntax.absolutePath(mountPath) != null) {
                r.error(v.get("mountPath"), v.path("mountPath"), Syntax.absolutePath(mountPath));
            } else if (mountPath != null) {
                String key = mountPath.replaceAll("/+$", "");
                if (key.isEmpty()) {
                    r.error(v.get("mountPath"), v.path("mountPath"), "cannot mount a volume over the container's root \"/\"");
                } else if (mounts.containsKey(key)) {
                    r.error(v.get("mountPath"), v.path("mountPath"), "duplicate mountPath " + Messages.quote(mountPath)
                            + " (first at line " + r.origin(mounts.get(key)).line() + ")");
                } else {
                    mounts.put(key, v.get("mountPath"));
                }
            }
            boolean readOnly = v.bool("readOnly", false);
            if (name != null && mountPath != null) {
                out.add(new VolumeMount(name, mountPath, readOnly));
            }
        }
        return List.copyOf(out);
    }

    private HealthCheck healthCheck(Fields spec) {
        Fields h = spec.mapping("healthCheck", HEALTH);
        if (h == null) {
            return null;
        }
        List<String> command = h.has("command") ? h.strings("command") : null;
        if (command == null) {
            h.require("command", "the command to run in the container, like [\"wget\", \"-qO-\", \"http://127.0.0.1/\"]");
        } else if (command.isEmpty() && h.get("command") instanceof SequenceNode) {
            r.error(h.get("command"), h.path("command"), "is empty (valid: a non-empty list like [\"pg_isready\"])");
        }
        Long interval = h.has("interval") ? h.quantity("interval", Quantities::parseDuration) : Long.valueOf(DEFAULT_INTERVAL);
        // An unset timeout never exceeds a short interval: it shrinks to fit instead of failing a rule the user did not touch.
        Long timeout = h.has("timeout") ? h.quantity("timeout", Quantities::parseDuration)
                : interval == null ? null : Long.valueOf(Math.min(DEFAULT_TIMEOUT, interval));
        if (h.has("timeout") && timeout != null && interval != null && timeout > interval) {
            r.error(h.get("timeout"), h.path("timeout"), "timeout " + Quantities.formatDuration(timeout) + " is longer than the interval "
                    + Quantities.formatDuration(interval) + " (valid: at most the interval)");
        }
        Long retries = h.has("retries") ? h.integer("retries", 1, 10_000) : Long.valueOf(DEFAULT_RETRIES);
        if (command == null || interval == null || timeout == null || retries == null) {
            return null;
        }
        return new HealthCheck(command, interval, timeout, retries.intValue());
    }

    private SecurityContext securityContext(Fields spec) {
        Fields s = spec.mapping("securityContext", SECURITY);
        if (s == null) {
            return null;
        }
        String user = s.string("user");
        if (user != null && Syntax.user(user) != null) {
            r.error(s.get("user"), s.path("user"), Syntax.user(user));
        }
        boolean privileged = s.bool("privileged", false);
        if (privileged && policy.privilegedProblem() != null) {
            r.error(s.get("privileged"), s.path("privileged"), policy.privilegedProblem());
        }
        SecurityContext sc = new SecurityContext(user, s.bool("readOnlyRootFilesystem", false), privileged);
        // All defaults means the same as no block; normalise so both compare (and hash) equal.
        return sc.equals(new SecurityContext(null, false, false)) ? null : sc;
    }
}
