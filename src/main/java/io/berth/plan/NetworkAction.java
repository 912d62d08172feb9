package io.berth.plan;

import io.berth.manifest.NetworkManifest;
import io.berth.runtime.ObservedNetwork;

import java.util.List;

/**
 * One decision of the {@link NetworkPlanner} for one network, carried out later: networks are made
 * before the workloads that use them and removed after them. Every action says why.
 */
public sealed interface NetworkAction {

    String name();

    String reason();

    default boolean hasEffect() {
        return !(this instanceof Unchanged) && !(this instanceof Refused);
    }

    /** The verbs of workload actions, so plans count and print both alike. */
    default String verb() {
        return switch (this) {
            case Create c -> "create";
            case Recreate r -> "recreate";
            case Delete d -> "delete";
            case Unchanged u -> "unchanged";
            case Refused r -> "refused";
        };
    }

    default List<FieldChange> changes() {
        return this instanceof Recreate r ? r.fieldChanges() : List.of();
    }

    record Create(NetworkManifest desired, String reason) implements NetworkAction {
        public String name() {
            return desired.name();
        }
    }

    /** Subnet or internal changed: Docker cannot change them, so the network is made again. */
    record Recreate(NetworkManifest desired, ObservedNetwork observed, List<FieldChange> fieldChanges, String reason)
            implements NetworkAction {
        public String name() {
            return desired.name();
        }
    }

    record Delete(ObservedNetwork observed, String reason) implements NetworkAction {
        public String name() {
            return observed.name();
        }
    }

    record Unchanged(NetworkManifest desired, ObservedNetwork observed, String reason) implements NetworkAction {
        public String name() {
            return desired.name();
        }
    }

    /** A change Berth will not make (containers it does not manage would lose their network); left as it is. */
    record Refused(String name, String reason) implements NetworkAction {
    }
}
