package io.berth.manifest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Secret spec values out of Berth's own records: every {@code env} value, every {@code spec.secrets}
 * file's content (read by {@link SecretFiles}) and the cloud-init {@code userData} are replaced by {@code hmac-sha256:<hex>}, an HMAC-SHA256 under this host's
 * key ({@link io.berth.util.HostKey}, root-only) of the workload name, the field and the value.
 * That is what Berth writes into Docker labels and libvirt metadata (the applied spec and the spec
 * hash), what the planner compares, and what the API shows as a spec. The same value gives the
 * same digest, so an unchanged value plans no change and a changed one plans a change; without the
 * key nobody can test a guess, so a short password is not brute-forced from a label (a plain or
 * salted SHA-256 would be). Name and field are mixed in so equal values in two places do not show
 * as equal.
 *
 * <p>{@link #redact} is idempotent: a value that already is such a digest (a record written by
 * this class) is kept, so a recorded spec can be redacted again before comparing, and an old
 * record written in clear (before Berth redacted) compares equal to its redacted desired spec.
 * Thread-safe; the key is asked for only when a workload has a secret value.
 */
public final class Redaction {

    /** The prefix of a redacted value. */
    public static final String PREFIX = "hmac-sha256:";
    /** What plans show instead of a secret value. */
    public static final String MASK = "(secret)";
    private static final Pattern DIGEST = Pattern.compile(Pattern.quote(PREFIX) + "[0-9a-f]{64}");
    private static final String ENV = "spec.env";
    private static final String USER_DATA = "spec.cloudInit.userData";
    private static final String SECRETS = "spec.secrets";
    private static final String VALUE = ".value";

    private final Supplier<byte[]> key;

    /** @param key the host key, asked for on the first secret value */
    public Redaction(Supplier<byte[]> key) {
        this.key = key;
    }

    /** A redaction under a random key of this process only: for tests and in-memory runtimes. */
    public static Redaction ephemeral() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new Redaction(() -> k);
    }

    /** The workload with every secret value replaced by its digest; {@code w} itself when it has none. */
    public Workload redact(Workload w) {
        return switch (w.spec()) {
            case ContainerSpec c when !c.env().isEmpty() || !c.secrets().isEmpty() -> {
                List<ContainerSpec.EnvVar> env = new ArrayList<>();
                for (ContainerSpec.EnvVar e : c.env()) {
                    env.add(new ContainerSpec.EnvVar(e.name(), digest(w.name(), envPath(e.name()), e.value())));
                }
                List<ContainerSpec.Secret> secrets = new ArrayList<>();
                for (ContainerSpec.Secret s : c.secrets()) {
                    secrets.add(s.content() == null ? s : s.withContent(digest(w.name(), secretPath(s.name()), s.content())));
                }
                yield with(w, new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), List.copyOf(env),
                        c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext(), c.networks(),
                        List.copyOf(secrets)));
            }
            case VmSpec v when v.cloudInit() != null -> with(w, new VmSpec(v.hypervisor(), v.disk(), v.kernel(),
                    new VmSpec.CloudInit(digest(w.name(), USER_DATA, v.cloudInit().userData())), v.network(), v.snapshots()));
            default -> w;
        };
    }

    /** The compact canonical JSON of the redacted workload: the applied spec Berth records on an object. */
    public String recordedJson(Workload w) {
        return CanonicalForm.toJson(redact(w));
    }

    /**
     * The spec hash Berth records ({@code io.berth.spec-hash}): SHA-256 of the redacted canonical
     * JSON. It still covers every field (a changed secret changes its digest), but unlike a hash of
     * the clear JSON it cannot be reversed by guessing the one unknown value of a recorded spec.
     */
    public String specHash(Workload w) {
        return CanonicalForm.specHash(redact(w));
    }

    /** The canonical tree with digests for secrets: what the API and CLI show as a workload's spec. */
    public Map<String, Object> tree(Workload w) {
        return CanonicalForm.toTree(redact(w));
    }

    /** Whether this dotted path of a canonical tree ({@code spec.env[NAME]}, the user data, a secret's value) holds a secret. */
    public static boolean isSecret(String path) {
        return path.startsWith(ENV + "[") || path.equals(USER_DATA) || path.startsWith(SECRETS + "[") && path.endsWith(VALUE);
    }

    /** The path of one secret's value (its file's content), as plans name it: {@code spec.secrets[NAME].value}. */
    public static String secretPath(String name) {
        return SECRETS + "[" + name + "]" + VALUE;
    }

    /** The secret a {@link #secretPath} names, or null for any other path. */
    public static String secretName(String path) {
        return path.startsWith(SECRETS + "[") && path.endsWith("]" + VALUE)
                ? path.substring(SECRETS.length() + 1, path.length() - VALUE.length() - 1) : null;
    }

    /** The path of one environment variable's value, as plans name it. */
    public static String envPath(String name) {
        return ENV + "[" + name + "]";
    }

    /** Whether a value is a digest this class wrote. */
    public static boolean isDigest(String value) {
        return value != null && DIGEST.matcher(value).matches();
    }

    private String digest(String workload, String path, String value) {
        if (isDigest(value)) {
            return value;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.get(), "HmacSHA256"));
            // NUL separates the parts: none of them can contain one (names are DNS labels and env names).
            mac.update((workload + '\0' + path + '\0').getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }

    private static Workload with(Workload w, WorkloadSpec spec) {
        return new Workload(w.name(), w.labels(), w.resources(), w.placement(), spec, w.origin());
    }
}
