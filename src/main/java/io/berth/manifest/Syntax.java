package io.berth.manifest;

import java.util.regex.Pattern;

/**
 * Shape checks for the strings a manifest names things with. Each returns null when the text is
 * valid, else a complete message naming the text, the reason and what would be valid. Pure and
 * thread-safe.
 */
public final class Syntax {

    static final String NAME_VALID = "valid: a DNS label of at most 63 lowercase letters, digits and '-', "
            + "starting and ending with a letter or digit, like \"web-1\"";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final Pattern USER = Pattern.compile("([0-9]{1,10})(?::([0-9]{1,10}))?|[a-z_][a-z0-9_-]{0,31}");
    private static final Pattern NET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    // Docker's reference grammar (distribution/reference), restricted to sha256 digests.
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final long MAX_ID = 4_294_967_294L; // 2^32-1 is the kernel's "no id"

    private Syntax() {
    }

    /** Snapshot names: like metadata names but upper case allowed ({@code 20261201T2215Z}). */
    public static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?");
    public static final String SNAPSHOT_VALID = "valid: 1-63 letters, digits and '-', starting and ending with a letter"
            + " or digit, like 20261201T2215Z or before-upgrade";

    public static String workloadName(String s) {
        String q = Messages.quote(s);
        if (s.isEmpty()) {
            return "name is empty (" + NAME_VALID + ")";
        }
        if (s.length() > 63) {
            return q + " is " + s.length() + " characters long, more than 63 (" + NAME_VALID + ")";
        }
        if (DNS_LABEL.matcher(s).matches()) {
            return null;
        }
        String why = !s.equals(s.toLowerCase(java.util.Locale.ROOT)) ? "has uppercase letters"
                : s.startsWith("-") || s.endsWith("-") ? "must start and end with a letter or digit"
                : "has characters other than a-z, 0-9 and '-'";
        return q + " " + why + " (" + NAME_VALID + ")";
    }

    /** Kubernetes-style label keys: optional DNS-subdomain prefix and '/', then a name of at most 63. */
    static String labelKey(String key) {
        String valid = " (valid: [prefix/]name where name is at most 63 letters, digits, '-', '_' or '.', starting and "
                + "ending with a letter or digit, and prefix is a lowercase DNS subdomain, like \"tier\" or \"example.com/team\")";
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (prefix != null && (prefix.isEmpty() || prefix.length() > 253 || !allMatch(prefix, DNS_LABEL))) {
            return "label key " + Messages.quote(key) + " has an invalid prefix" + valid;
        }
        if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return "label key " + Messages.quote(key) + " is not valid" + valid;
        }
        // Berth's ownership marks (CONTRACT §4) must not be forgeable from a manifest.
        if ("berth.io".equals(prefix) || (prefix != null && prefix.endsWith(".berth.io")) || key.startsWith("io.berth.")) {
            return "label key " + Messages.quote(key) + " is reserved for Berth's own labels (io.berth.*, berth.io/*)";
        }
        return null;
    }

    /** Any text up to 1024 characters without control characters; XML-special characters are fine. */
    static String labelValue(String value) {
        if (value.length() > 1024) {
            return "label value is " + value.length() + " characters long (valid: at most 1024 characters)";
        }
        int bad = unprintable(value);
        if (bad >= 0) {
            return "label value " + Messages.quote(value) + " contains a control or non-character at position " + (bad + 1)
                    + " (valid: printable text, at most 1024 characters)";
        }
        return null;
    }

    /** A kernel command line: one line of printable text. */
    static String kernelCmdline(String value) {
        int bad = unprintable(value);
        if (bad >= 0) {
            return "kernel command line " + Messages.quote(value) + " contains a control or non-character at position "
                    + (bad + 1) + " (valid: one line of printable text, like \"console=ttyS0\")";
        }
        return null;
    }

    /**
     * The index of the first character that is a control character, a lone surrogate or a Unicode
     * non-character (U+FFFE, U+FFFF, ...), or -1. Such text cannot be written into XML 1.0 (a VM's
     * labels and kernel command line live in its libvirt domain XML) and means nothing to a reader.
     */
    static int unprintable(String value) {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            boolean loneSurrogate = Character.isSurrogate(value.charAt(i)) && Character.charCount(cp) == 1;
            boolean nonCharacter = (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
            if (Character.isISOControl(cp) || loneSurrogate || nonCharacter) {
                return i;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /** An RFC 1123 host name. */
    static String hostname(String s) {
        if (s.isEmpty() || s.length() > 253 || !allMatch(s, HOST_LABEL) || maxPartLength(s) > 63) {
            return Messages.quote(s) + " is not a valid host name (valid: dot-separated labels of letters, digits and '-', "
                    + "each at most 63 characters, like \"node-a\" or \"node-a.example.com\")";
        }
        return null;
    }

    public static String envName(String s) {
        if (ENV_NAME.matcher(s).matches() && s.length() <= 256) {
            return null;
        }
        return Messages.quote(s) + " is not a valid environment variable name (valid: letters, digits and '_', "
                + "not starting with a digit, like \"LOG_LEVEL\")";
    }

    public static String volumeName(String s) {
        if (VOLUME_NAME.matcher(s).matches() && s.length() <= 255) {
            return null;
        }
        return Messages.quote(s) + " is not a valid volume name (valid: at least 2 characters of letters, digits, "
                + "'_', '.' and '-', starting with a letter or digit, like \"web-data\")";
    }

    public static String absolutePath(String s) {
        if (s.startsWith("/") && s.length() <= 4096 && s.indexOf('\0') < 0) {
            return null;
        }
        return Messages.quote(s) + " is not an absolute path (valid: a path starting with '/', like \"/data\")";
    }

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern URL_TEXT = Pattern.compile("[!-~]{1,2048}");

    /** An http, https or file URL of a base image, without credentials (the URL is recorded on the VM). */
    static String imageUrl(String s) {
        String valid = " (valid: an http://, https:// or file:/// URL of the image, like "
                + "\"https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2\")";
        java.net.URI uri;
        try {
            uri = URL_TEXT.matcher(s).matches() ? new java.net.URI(s) : null;
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getScheme() == null) {
            return Messages.quote(s) + " is not a URL" + valid;
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("file")) {
            return uri.getAuthority() == null && uri.getPath() != null && uri.getPath().startsWith("/") && uri.getQuery() == null
                    ? null : Messages.quote(s) + " is not a local file URL (valid: file:///absolute/path)";
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Messages.quote(s) + " has the unsupported scheme " + Messages.quote(uri.getScheme()) + valid;
        }
        if (uri.getHost() == null) {
            return Messages.quote(s) + " names no host" + valid;
        }
        if (uri.getRawUserInfo() != null) {
            return Messages.quote(s) + " carries credentials (user:password@), which would be recorded on the VM" + valid;
        }
        return null;
    }

    static String sha256(String s) {
        if (SHA256.matcher(s).matches()) {
            return null;
        }
        String what = s.length() == 64 && SHA256.matcher(s.toLowerCase(java.util.Locale.ROOT)).matches()
                ? " is not lowercase" : " is not a SHA-256 digest";
        return Messages.quote(s) + what + " (valid: 64 lowercase hex digits, as sha256sum prints them)";
    }

    public static String user(String s) {
        var m = USER.matcher(s);
        if (m.matches() && (m.group(1) == null || Long.parseLong(m.group(1)) <= MAX_ID)
                && (m.group(2) == null || Long.parseLong(m.group(2)) <= MAX_ID)) {
            return null;
        }
        return Messages.quote(s) + " is not a valid user (valid: a numeric uid like \"1000\", uid:gid like "
                + "\"1000:1000\", or a user name like \"nginx\")";
    }

    /** A libvirt network or host bridge name; a bridge is a Linux interface, so at most 15 characters. */
    static String networkSource(String s, boolean bridge) {
        int max = bridge ? 15 : 64;
        if (NET_NAME.matcher(s).matches() && s.length() <= max) {
            return null;
        }
        return Messages.quote(s) + " is not a valid " + (bridge ? "bridge" : "network") + " name (valid: at most " + max
                + " letters, digits, '_', '.' and '-', like \"" + (bridge ? "br0" : "default") + "\")";
    }

    public static String ipLiteral(String s) {
        if (isIpv4(s) || isIpv6(s)) {
            return null;
        }
        return Messages.quote(s) + " is not an IP address (valid: an IPv4 or IPv6 literal like \"127.0.0.1\" or \"::1\")";
    }

    static boolean isIpv4(String s) {
        return s.length() <= 15 && IPV4.matcher(s).matches();
    }

    static boolean isIpv6(String s) {
        if (s.length() < 2 || s.length() > 45) {
            return false;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int groups = gap < 0 ? countGroups(s, true) : countGroups(s.substring(0, gap), false) + countGroups(s.substring(gap + 2), true);
        return gap < 0 ? groups == 8 : groups >= 0 && groups <= 7;
    }

    /** 16-bit groups in a colon-separated run (an IPv4 tail counts two), or a large negative if malformed. */
    private static int countGroups(String run, boolean mayEndInIpv4) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] parts = run.split(":", -1);
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            if (HEX_GROUP.matcher(parts[i]).matches()) {
                n++;
            } else if (mayEndInIpv4 && i == parts.length - 1 && isIpv4(parts[i])) {
                n += 2;
            } else {
                return -100;
            }
        }
        return n;
    }

    /** A Docker image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
    public static String imageReference(String ref) {
        String valid = " (valid: [registry[:port]/]name[:tag][@sha256:digest] with lowercase name components, "
                + "like \"nginx:1.27\" or \"ghcr.io/acme/app:v2\")";
        String q = Messages.quote(ref);
        if (ref.isEmpty() || ref.length() > 512) {
            return "image " + q + " is not a valid image reference" + valid;
        }
        String name = ref;
        int at = ref.indexOf('@');
        if (at >= 0) {
            if (!DIGEST.matcher(ref.substring(at + 1)).matches()) {
                return "image " + q + " has an invalid digest (valid: @sha256: followed by 64 lowercase hex digits)";
            }
            name = ref.substring(0, at);
        }
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            if (!TAG.matcher(name.substring(colon + 1)).matches()) {
                return "image " + q + " has an invalid tag (valid: up to 128 letters, digits, '_', '.' and '-', "
                        + "not starting with '.' or '-')";
            }
            name = name.substring(0, colon);
        }
        String[] parts = name.split("/", -1);
        int first = 0;
        if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost")
                || !parts[0].equals(parts[0].toLowerCase(java.util.Locale.ROOT)))) {
            if (!DOMAIN.matcher(parts[0]).matches()) {
                return "image " + q + " has an invalid registry host " + Messages.quote(parts[0]) + valid;
            }
            first = 1;
        }
        for (int i = first; i < parts.length; i++) {
            if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
                String why = parts[i].equals(parts[i].toLowerCase(java.util.Locale.ROOT)) ? " is not a valid image reference"
                        : " has uppercase letters in its name";
                return "image " + q + why + valid;
            }
        }
        return name.length() > 255 ? "image " + q + " has a name longer than 255 characters" + valid : null;
    }

    private static boolean allMatch(String dotted, Pattern part) {
        for (String p : dotted.split("\\.", -1)) {
            if (!part.matcher(p).matches()) {
                return false;
            }
        }
        return true;
    }

    private static int maxPartLength(String dotted) {
        int max = 0;
        for (String p : dotted.split("\\.", -1)) {
            max = Math.max(max, p.length());
        }
        return max;
    }
}
