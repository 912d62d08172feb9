package io.berth.manifest;

/**
 * One validated {@code kind: Network} document (CONTRACT §6.3): a Docker network Berth makes and
 * owns, named {@code berth-<name>}. Immutable.
 *
 * @param name     the DNS-label name, unique among the networks of a load
 * @param subnet   the declared subnet, or null for "allocate one that overlaps nothing"
 * @param internal no route out (a Docker internal network)
 * @param origin   where the document starts
 * @param nameOrigin where its name is written, for errors about it
 */
public record NetworkManifest(String name, Cidr subnet, boolean internal, Origin origin, Origin nameOrigin) {

    /** Why the daemon's loaders refuse networks (issue 14 makes them in the CLI's local mode first). */
    public static final String DAEMON_REFUSAL = "is not applied by agent serve yet (valid there: Container and"
            + " VirtualMachine on no networks; apply networks and the containers on them with agent apply --local)";

    /** What Berth records on the network (its {@code io.berth.spec} label) and hashes: the declared spec only. */
    public String recordedJson() {
        return "{\"subnet\":" + (subnet == null ? "null" : "\"" + subnet + "\"") + ",\"internal\":" + internal + "}";
    }

    /** Reads {@link #recordedJson} back; null when it is not that form. */
    public static NetworkManifest fromRecorded(String name, String json) {
        if (json == null) {
            return null;
        }
        var m = java.util.regex.Pattern.compile("\\{\"subnet\":(null|\"([0-9./]+)\"),\"internal\":(true|false)}").matcher(json);
        if (!m.matches()) {
            return null;
        }
        try {
            Cidr subnet = m.group(2) == null ? null : Cidr.parse(m.group(2));
            Origin at = Origin.unknown(java.nio.file.Path.of("<label io.berth.spec>"));
            return new NetworkManifest(name, subnet, Boolean.parseBoolean(m.group(3)), at, at);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Equality of what the user declared, ignoring where. */
    public boolean sameSpec(NetworkManifest o) {
        return name.equals(o.name) && java.util.Objects.equals(subnet, o.subnet) && internal == o.internal;
    }
}
