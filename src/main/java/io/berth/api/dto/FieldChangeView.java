package io.berth.api.dto;

/**
 * One field of a plan's action that differs: JSON {@code {"field", "from", "to", "inPlace", "why"}}.
 * {@code from} and {@code to} are in manifest spelling ({@code "(none)"} when absent); {@code inPlace}
 * says whether the runtime changes it live or recreates the workload, and {@code why} says why.
 */
public record FieldChangeView(String field, String from, String to, boolean inPlace, String why) {
}
