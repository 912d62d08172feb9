package io.berth.api.dto;

/** A workload a reconcile run could not reconcile: JSON {@code {"name", "error"}}. */
public record FailedView(String name, String error) {
}
