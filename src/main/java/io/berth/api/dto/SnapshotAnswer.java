package io.berth.api.dto;

import java.util.List;

/**
 * What a snapshot create, restore or delete did: JSON {@code {"action", "snapshot", "seconds",
 * "notes"}}. {@code action} is {@code created}, {@code restored} or {@code deleted}; {@code notes}
 * say what the operator should know (crash-consistent or quiesced, the disk kept before a restore,
 * a layer kept because another needs it). Immutable.
 */
public record SnapshotAnswer(String action, SnapshotView snapshot, double seconds, List<String> notes) {
}
