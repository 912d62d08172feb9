package io.berth.manifest;

/**
 * Resource limits (hard, enforced by the runtime) and requests (what admission reserves; equal to
 * the limits when the manifest leaves them out). {@code pids} is the container process limit, 0
 * when not applicable (virtual machines).
 */
public record Resources(Limits limits, Limits requests, long pids) {
}
