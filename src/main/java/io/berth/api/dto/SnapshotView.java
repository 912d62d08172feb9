package io.berth.api.dto;

import java.time.Instant;

/**
 * One snapshot: JSON {@code {"name", "workload", "kind", "created", "sizeBytes", "madeBy", "layer"}}.
 * {@code created} is an ISO-8601 instant, {@code sizeBytes} the space its frozen layer takes,
 * {@code madeBy} {@code manual} (the user's), {@code scheduled} (spec.snapshots) or {@code automatic}
 * (Berth's, e.g. the disk a VM had before a restore), {@code layer} the file that holds it on the host. Immutable.
 */
public record SnapshotView(String name, String workload, String kind, Instant created, long sizeBytes, String madeBy,
                           String layer) {
}
