package io.berth.plan;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;

import java.util.List;

/**
 * One decision of the planner for one workload: a value, carried out later by the executor
 * (java-operator-sdk's UpdateControl). Every action names its workload and says why.
 */
public sealed interface Action {

    String name();

    Kind kind();

    String reason();

    /** Whether carrying it out changes the host. */
    default boolean hasEffect() {
        return !(this instanceof Unchanged) && !(this instanceof Refused);
    }

    /** A short verb for tables and JSON: create, update, recreate, start, delete, unchanged. */
    default String verb() {
        return switch (this) {
            case Create c -> "create";
            case UpdateInPlace u -> "update";
            case Recreate r -> "recreate";
            case Start s -> "start";
            case Delete d -> "delete";
            case Unchanged u -> "unchanged";
            case Refused r -> "refused";
        };
    }

    /** The verb in words for people: "update in place, then start" where the verb alone would hide the start. */
    default String description() {
        return switch (this) {
            case UpdateInPlace u -> u.startAfter() ? "update in place, then start" : "update in place";
            case Refused r -> "left alone";
            default -> verb();
        };
    }

    /** The field changes, empty for actions without a diff. */
    default List<FieldChange> changesList() {
        return switch (this) {
            case UpdateInPlace u -> u.changes();
            case Recreate r -> r.changes();
            default -> List.of();
        };
    }

    record Create(Workload desired, String reason) implements Action {
        public String name() {
            return desired.name();
        }

        public Kind kind() {
            return desired.kind();
        }
    }

    /** Limits changed (or drifted) and the runtime can apply them live; start too if startAfter. */
    record UpdateInPlace(Workload desired, Observed observed, List<FieldChange> changes, boolean startAfter,
                         String reason) implements Action {
        public String name() {
            return desired.name();
        }

        public Kind kind() {
            return desired.kind();
        }
    }

    /** keepData: the replacement reuses the old one's data (a VM's disk) because its spec did not change. */
    record Recreate(Workload desired, Observed observed, List<FieldChange> changes, boolean keepData, String reason)
            implements Action {
        public String name() {
            return desired.name();
        }

        public Kind kind() {
            return desired.kind();
        }
    }

    record Start(Workload desired, Observed observed, String reason) implements Action {
        public String name() {
            return desired.name();
        }

        public Kind kind() {
            return desired.kind();
        }
    }

    record Delete(Observed observed, String reason) implements Action {
        public String name() {
            return observed.name();
        }

        public Kind kind() {
            return observed.kind();
        }
    }

    record Unchanged(Workload desired, Observed observed, String reason) implements Action {
        public String name() {
            return desired.name();
        }

        public Kind kind() {
            return desired.kind();
        }
    }

    /**
     * A change Berth will not make, because making it could lose data: the workload is left as it
     * runs and the reason is reported. Carrying it out does nothing; its outcome is a failure.
     *
     * @param desired what the manifest asks for, or null when nothing declares it (a prune)
     * @param error   the manifest field at fault (a disk that would shrink), or null when the fault is
     *                on the host (a recorded spec Berth cannot read); a plan with any such error is
     *                refused whole ({@link Planner#plan})
     */
    record Refused(Observed observed, Workload desired, io.berth.manifest.ManifestError error, String reason)
            implements Action {
        public String name() {
            return observed.name();
        }

        public Kind kind() {
            return observed.kind();
        }
    }
}
