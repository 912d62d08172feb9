package io.berth.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code backup.json}, the first entry of a backup archive: what the archive holds and where it
 * came from. Every other entry is a {@link Part} listed here with its size and SHA-256, so a
 * restore verifies the whole archive against this before it touches anything. Immutable.
 *
 * @param format       the archive format ({@link #FORMAT}); a restore refuses any other
 * @param workload     the workload's name on the host it came from
 * @param kind         {@code VirtualMachine} (containers are not backed up yet)
 * @param host         the host it came from (its host name)
 * @param agent        the agent that made it
 * @param created      when the archive was made (ISO-8601 UTC)
 * @param berthVersion the Berth that made it
 * @param pointInTime  the consistent point the data is from
 * @param parts        the other entries, in archive order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupInfo(int format, String workload, String kind, String host, String agent, String created,
                         String berthVersion, PointInTime pointInTime, List<Part> parts) {

    public static final int FORMAT = 1;
    public static final String NAME = "backup.json";
    public static final String SPEC = "spec.yaml";
    public static final String DISK = "disk.qcow2";
    public static final String SUMS = "SHA256SUMS";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // a later format 1 may add fields

    /** The snapshot the data was read from (made for the backup and deleted after it) and when it was taken. */
    public record PointInTime(String snapshot, String at) {
    }

    /** One entry: its name in the archive, its size in bytes, its lowercase hex SHA-256. */
    public record Part(String name, long size, String sha256) {
    }

    public BackupInfo {
        parts = List.copyOf(Objects.requireNonNullElse(parts, List.of()));
    }

    public Optional<Part> part(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code backup.json}.
     *
     * @throws IOException saying what is wrong: not JSON, another format version, fields missing
     */
    static BackupInfo parse(byte[] json) throws IOException {
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new IOException(NAME + " is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (tree == null || !tree.path("format").isInt()) {
            throw new IOException(NAME + " has no format version (not a Berth backup archive)");
        }
        int format = tree.get("format").asInt();
        if (format != FORMAT) {
            throw new IOException(NAME + " is of format " + format + "; this Berth reads format " + FORMAT
                    + " (restore it with the Berth version that made it, or a later one)");
        }
        BackupInfo info;
        try {
            info = JSON.treeToValue(tree, BackupInfo.class);
        } catch (IOException e) {
            throw new IOException(NAME + " cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (info.workload() == null || info.kind() == null || info.parts().isEmpty()) {
            throw new IOException(NAME + " lacks its workload, kind or parts");
        }
        for (Part p : info.parts()) {
            if (p.name() == null || p.sha256() == null || !p.sha256().matches("[0-9a-f]{64}") || p.size() < 0) {
                throw new IOException(NAME + " lists a part without a valid name, size and sha256: " + p);
            }
        }
        return info;
    }
}
