package io.berth.manifest;

import io.berth.manifest.ContainerSpec.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code spec.secrets} (CONTRACT §6.3): {@code [{name, file, mountPath, mode, uid, gid}]}, with
 * errors at file:line:col. A relative {@code file} is resolved against the manifest's directory (the
 * working directory for standard input), so the spec always holds an absolute path. The file itself
 * is read later, by the loader ({@link SecretFiles}): parsing stays pure. A record Berth wrote
 * ({@link HostPolicy#ANY}) also carries each value's keyed {@code digest}; a user's manifest cannot.
 * Not thread-safe: one per parse.
 */
final class SecretsParser {

    static final String FIELD = "secrets";
    static final List<String> SECRET = List.of("name", "file", "mountPath", "mode", "uid", "gid");
    /** Only in specs Berth recorded: the value's digest ({@link Redaction}), never the value. */
    static final String DIGEST = "digest";
    static final Pattern MODE = Pattern.compile("0?[0-7]{3}");
    static final String MODE_VALID = "valid: an octal mode string of 3 or 4 digits up to 0777, like \"0400\" or \"0440\"";
    static final long MAX_ID = Integer.MAX_VALUE;

    private final NodeReader r;
    private final boolean recorded;

    SecretsParser(NodeReader reader, HostPolicy policy) {
        this.r = reader;
        this.recorded = policy.equals(HostPolicy.ANY);
    }

    /**
     * The secrets, empty when absent. {@code volumeMounts} maps each volume's mountPath (without a
     * trailing '/') to where it is written: a secret may not sit on, over or under one.
     */
    List<Secret> parse(Fields spec, Map<String, Node> volumeMounts) {
        List<Secret> out = new ArrayList<>();
        Map<String, Node> names = new LinkedHashMap<>();
        Map<String, Node> mounts = new LinkedHashMap<>();
        List<Node> items = spec.sequence(FIELD);
        List<String> known = recorded ? append(SECRET, DIGEST) : SECRET;
        for (int i = 0; items != null && i < items.size(); i++) {
            Fields s = r.fields(items.get(i), spec.path(FIELD) + "[" + i + "]", known);
            if (s == null) {
                continue;
            }
            String name = s.requiredString("name", "the secret's name, like \"db-password\"");
            if (name != null && Syntax.workloadName(name) != null) {
                r.error(s.get("name"), s.path("name"), Syntax.workloadName(name));
                name = null;
            } else if (name != null && names.containsKey(name)) {
                r.error(s.get("name"), s.path("name"), "duplicate secret " + Messages.quote(name) + " (first at line "
                        + r.origin(names.get(name)).line() + "; valid: each name once)");
                name = null;
            } else if (name != null) {
                names.put(name, s.get("name"));
            }
            String file = file(s);
            String mountPath = mountPath(s, volumeMounts, mounts);
            Integer mode = mode(s);
            Long uid = s.has("uid") ? s.integer("uid", 0, MAX_ID) : Long.valueOf(0);
            Long gid = s.has("gid") ? s.integer("gid", 0, MAX_ID) : Long.valueOf(0);
            String digest = recorded ? s.string(DIGEST) : null;
            if (digest != null && !Redaction.isDigest(digest)) {
                r.error(s.get(DIGEST), s.path(DIGEST), "is not a digest Berth wrote (valid: " + Redaction.PREFIX + "<64 hex>)");
            }
            if (name != null && file != null && mountPath != null && mode != null && uid != null && gid != null) {
                out.add(new Secret(name, file, mountPath, mode, uid.intValue(), gid.intValue(), digest));
            }
        }
        return List.copyOf(out);
    }

    private String file(Fields s) {
        String file = s.requiredString("file", "the host file holding the value, like \"/etc/berth/secrets/db-password\"");
        if (file == null) {
            return null;
        }
        if (file.isEmpty() || file.indexOf('\0') >= 0 || file.length() > 4096) {
            r.error(s.get("file"), s.path("file"), Messages.quote(file) + " is not a file path (valid: an absolute path, or one "
                    + "relative to the manifest's directory, like \"secrets/db-password\")");
            return null;
        }
        Path path = Path.of(file);
        if (path.isAbsolute()) {
            return path.normalize().toString();
        }
        Path manifest = r.origin(s.get("file")).file();
        Path dir = manifest == null || manifest.equals(ManifestLoader.STDIN) || manifest.toAbsolutePath().getParent() == null
                ? Path.of("").toAbsolutePath() : manifest.toAbsolutePath().getParent();
        return dir.resolve(path).normalize().toString();
    }

    private String mountPath(Fields s, Map<String, Node> volumeMounts, Map<String, Node> mounts) {
        String mountPath = s.requiredString("mountPath", "where the file appears in the container, like \"/run/secrets/db-password\"");
        if (mountPath == null) {
            return null;
        }
        if (Syntax.absolutePath(mountPath) != null) {
            r.error(s.get("mountPath"), s.path("mountPath"), Syntax.absolutePath(mountPath));
            return null;
        }
        String key = mountPath.replaceAll("/+$", "");
        if (key.isEmpty()) {
            r.error(s.get("mountPath"), s.path("mountPath"), "cannot mount a secret over the container's root \"/\" "
                    + "(valid: a file path like \"/run/secrets/db-password\")");
            return null;
        }
        String clash = clash(key, mounts, "secret");
        clash = clash != null ? clash : clash(key, volumeMounts, "volume");
        if (clash != null) {
            r.error(s.get("mountPath"), s.path("mountPath"), clash + " (valid: a path of its own, like \"/run/secrets/NAME\")");
            return null;
        }
        mounts.put(key, s.get("mountPath"));
        return key;
    }

    /** Why {@code key} collides with one of {@code taken} (the same path, or one inside the other), or null. */
    private String clash(String key, Map<String, Node> taken, String what) {
        for (Map.Entry<String, Node> e : taken.entrySet()) {
            String other = e.getKey();
            String line = " at line " + r.origin(e.getValue()).line();
            if (other.equals(key)) {
                return "mountPath " + Messages.quote(key) + " is already the mountPath of a " + what + line;
            }
            if (key.startsWith(other + "/") || other.startsWith(key + "/")) {
                return "mountPath " + Messages.quote(key) + " overlaps the " + what + " mounted at " + Messages.quote(other) + line;
            }
        }
        return null;
    }

    private Integer mode(Fields s) {
        String text = s.string("mode");
        if (text == null) {
            return s.has("mode") ? null : Secret.DEFAULT_MODE;
        }
        if (!MODE.matcher(text).matches()) {
            r.error(s.get("mode"), s.path("mode"), Messages.quote(text) + " is not a file mode (" + MODE_VALID + ")");
            return null;
        }
        return Integer.parseInt(text, 8);
    }

    private static List<String> append(List<String> list, String extra) {
        List<String> out = new ArrayList<>(list);
        out.add(extra);
        return List.copyOf(out);
    }
}
