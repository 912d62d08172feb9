package io.berth.api.dto;

import java.time.Instant;

/**
 * One of the daemon's events: JSON {@code {"at", "name", "type", "message"}}; {@code name} is null for
 * events of no single workload (e.g. invalid manifests), {@code at} an ISO-8601 instant.
 */
public record EventView(Instant at, String name, String type, String message) {
}
