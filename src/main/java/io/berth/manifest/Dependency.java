package io.berth.manifest;

/**
 * One entry of {@code spec.dependsOn}: the workload {@code name} must reach {@code condition}
 * before this one is started (on create, recreate and start). Start order only: it is not part of
 * the spec hash, so adding or changing it alone changes nothing that runs. Immutable.
 */
public record Dependency(String name, Condition condition) {

    /** {@code started}: it runs; {@code healthy}: its health check passes; {@code completed}: it exited 0. */
    public enum Condition { started, healthy, completed }

    /** What a plan prints: {@code db (healthy)}. */
    public String describe() {
        return name + " (" + condition + ")";
    }

    /** The Pending reason while it is not there yet: {@code waiting for db to be healthy}. */
    public String waitingFor() {
        return "waiting for " + name + switch (condition) {
            case started -> " to be started";
            case healthy -> " to be healthy";
            case completed -> " to complete (exit 0)";
        };
    }
}
