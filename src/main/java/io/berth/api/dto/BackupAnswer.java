package io.berth.api.dto;

import java.util.List;

/**
 * What {@code agent backup} (and {@code POST /api/v1/workloads/{name}/backup}) made: the archive
 * {@code file} on the host that made it, its size, the SHA-256 of its disk part, the point in
 * time the data is from, how long it took and notes worth a line (crash-consistent or quiesced,
 * a secret left out). Immutable.
 */
public record BackupAnswer(String name, String kind, String file, long sizeBytes, String diskSha256,
                           String snapshot, String pointInTime, double seconds, List<String> notes) {
}
