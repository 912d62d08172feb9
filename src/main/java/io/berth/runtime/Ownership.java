package io.berth.runtime;

/**
 * The ownership facts Berth writes on every runtime object it creates (CONTRACT §4): which agent
 * owns it and which manifest source declared it. The spec hash and the applied spec are derived
 * from the workload itself.
 */
public record Ownership(String agent, String source) {
}
