package io.berth.reconcile;

import io.berth.plan.Action;

import java.time.Duration;
import java.util.List;

/**
 * What happened to one workload's action.
 *
 * @param error null when it succeeded; otherwise the cause, naming the workload
 * @param notes what the runtime chose that the operator should know (e.g. a hypervisor fallback)
 * @param terminal the failure is one retrying cannot fix (the name is taken by an object Berth does
 *                 not own: {@link io.berth.runtime.NameTaken}); always false when it succeeded
 */
public record Outcome(Action action, String error, Duration took, List<String> notes, boolean terminal) {

    /** An outcome whose failure, if any, may go away when retried. */
    public Outcome(Action action, String error, Duration took, List<String> notes) {
        this(action, error, took, notes, false);
    }

    public boolean ok() {
        return error == null;
    }

    /** Past-tense verb for progress lines: created, updated, recreated, started, deleted, left alone, unchanged. */
    public String done() {
        return switch (action.verb()) {
            case "create" -> "created";
            case "update" -> "updated in place";
            case "recreate" -> "recreated";
            case "start" -> "started";
            case "delete" -> "deleted";
            case "refused" -> "left alone";
            default -> "unchanged";
        };
    }
}
