package io.berth.manifest;

/**
 * An amount of CPU and memory. CPU is held in millicores (1000 = one core), memory in bytes, so two
 * spellings of one amount ("0.5" and "500m", "1Gi" and "1073741824") are equal.
 */
public record Limits(long cpuMillis, long memoryBytes) {
}
