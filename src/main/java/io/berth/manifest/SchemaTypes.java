package io.berth.manifest;

import static io.berth.manifest.SchemaObject.of;

import java.util.List;
import java.util.Map;

/**
 * The manifest's scalar types as JSON Schema fragments: the shapes {@link Syntax} and
 * {@link Quantities} check, written as ECMA-262 patterns that Python's {@code re} reads the same
 * way (so the suite's validator and editors agree). Shapes only: amounts (a CPU below Docker's
 * minimum, requests above limits), uniqueness within lists and the host's image-directory policy
 * are left to the parser, whose errors point at the line.
 *
 * <p>Scalars are typed as an editor's YAML 1.2 parser sees them: where Berth reads a number or a
 * boolean as text too (a label value {@code 2}, a CPU {@code 1.5}, a user {@code 1000}) the type
 * allows it; names, paths and images are strings. Pure constants; thread-safe.
 */
final class SchemaTypes {

    private static final String PRINTABLE = "^[^\\x00-\\x1F\\x7F-\\x9F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]*$";
    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String HOST_LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?";
    // Docker's reference grammar, as Syntax.imageReference reads it.
    private static final String DOMAIN = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
            + "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?";
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String IPV4 =
            "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$";

    static final Map<String, Object> NAME = of("type", "string", "minLength", 1, "maxLength", 63,
            "pattern", "^" + DNS_LABEL + "$");

    /** Label keys: [DNS-subdomain prefix/]name; Berth's own prefixes are reserved (CONTRACT §4). */
    static final Map<String, Object> LABELS = of("type", "object",
            "propertyNames", of("pattern", "^(" + DNS_LABEL + "(\\." + DNS_LABEL + ")*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
                    "not", of("pattern", "^(io\\.berth\\.|([^/]*\\.)?berth\\.io/)")),
            "additionalProperties", of("type", List.of("string", "number", "boolean"), "maxLength", 1024, "pattern", PRINTABLE));

    static final Map<String, Object> HOSTNAME = of("type", "string", "maxLength", 253,
            "pattern", "^" + HOST_LABEL + "(\\." + HOST_LABEL + ")*$");

    static final Map<String, Object> CPU = of("type", List.of("string", "number"), "exclusiveMinimum", 0,
            "pattern", "^([0-9]+m|[0-9]+(\\.[0-9]+)?|\\.[0-9]+)$");

    static final Map<String, Object> MEMORY = of("type", List.of("string", "integer"), "minimum", 1,
            "pattern", "^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|[kKMGT])?$");

    static final Map<String, Object> DURATION = of("type", "string", "minLength", 2,
            "pattern", "^([0-9]{1,12}h)?([0-9]{1,12}m)?([0-9]{1,12}s)?([0-9]{1,12}ms)?$");

    static final Map<String, Object> IMAGE = of("type", "string", "maxLength", 512,
            "pattern", "^(?:" + DOMAIN + "/)?" + COMPONENT + "(?:/" + COMPONENT + ")*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(?:@sha256:[a-f0-9]{64})?$");

    static final Map<String, Object> ABSOLUTE_PATH = of("type", "string", "maxLength", 4096, "pattern", "^/[^\\x00]*$");

    /** http(s) with a host and no user:password@, or a local file URL; Syntax.imageUrl checks the rest. */
    static final Map<String, Object> IMAGE_URL = of("type", "string", "maxLength", 2048,
            "pattern", "^([Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+([/?#][!-~]*)?|[Ff][Ii][Ll][Ee]:///[!-~]*)$");

    static final Map<String, Object> SNAPSHOT_NAME = of("type", "string", "pattern", "^" + HOST_LABEL + "$");

    static final Map<String, Object> SHA256 = of("type", "string", "pattern", "^[0-9a-f]{64}$");

    static final Map<String, Object> ENV_NAME = of("type", "string", "maxLength", 256, "pattern", "^[A-Za-z_][A-Za-z0-9_]*$");

    static final Map<String, Object> ENV_VALUE = of("type", List.of("string", "number", "boolean"));

    static final Map<String, Object> VOLUME_NAME = of("type", "string", "maxLength", 255, "pattern", "^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");

    static final Map<String, Object> USER = of("type", List.of("string", "integer"), "minimum", 0, "maximum", 4_294_967_294L,
            "pattern", "^([0-9]{1,10}(:[0-9]{1,10})?|[a-z_][a-z0-9_-]{0,31})$");

    static final Map<String, Object> IP = of("type", "string",
            "anyOf", List.of(of("format", "ipv4", "pattern", IPV4), of("format", "ipv6", "pattern", "^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$")));

    static final Map<String, Object> NETWORK_NAME = of("type", "string", "maxLength", 64, "pattern", "^[A-Za-z0-9][A-Za-z0-9_.-]*$");

    static final Map<String, Object> PRINTABLE_TEXT = of("type", "string", "pattern", PRINTABLE);

    static final Map<String, Object> BOOLEAN = of("type", "boolean", "default", false);

    /** Command lines: items are read as written, so an unquoted number ({@code sleep, 5}) is an argument too. */
    static final Map<String, Object> STRINGS = of("type", "array", "items", of("type", List.of("string", "number", "boolean")));

    private SchemaTypes() {
    }

    static Map<String, Object> integer(long min, long max) {
        return of("type", "integer", "minimum", min, "maximum", max);
    }
}
