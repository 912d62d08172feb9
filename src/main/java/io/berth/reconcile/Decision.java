package io.berth.reconcile;

import io.berth.plan.Action;

import java.time.Instant;

/**
 * What one reconcile of one workload decided, before anything is done about it: the value
 * {@link Decisions#decide} returns and {@link DecisionRunner} carries out. Immutable; every case
 * carries what the runner needs beyond the facts it was decided from.
 */
sealed interface Decision {

    /** Nothing of ours to do: nothing desired and nothing observed, or an object no source of this daemon declared. */
    record Forget() implements Decision {
    }

    /** Up to date and running: count its capacity, note it running. */
    record Steady(Action action) implements Decision {
    }

    /** Up to date and stopped, meant to stay so (restartPolicy): it no longer holds capacity. */
    record StaysStopped(Action action) implements Decision {
    }

    /**
     * Detect-only mode: the drift {@code action} would repair is reported, not repaired.
     *
     * @param firstSeen it differs from the drift last reported, so it deserves an event
     */
    record ReportDrift(Action action, String drift, boolean firstSeen) implements Decision {
    }

    /**
     * A restart must wait for its back-off.
     *
     * @param unhealthy the restart is for a failed health check (it runs) rather than an exit
     */
    record WaitBackoff(Action action, Instant until, boolean unhealthy) implements Decision {
    }

    /**
     * Admission refused: it does not fit.
     *
     * @param firstSeen the reason differs from the one last recorded, so it deserves an event
     */
    record Pending(Action action, String reason, boolean firstSeen) implements Decision {
    }

    /**
     * A dependency ({@code dependsOn}) has not reached its condition: it is not started yet.
     *
     * @param firstSeen the reason differs from the one last recorded, so it deserves an event
     */
    record Waiting(Action action, String reason, boolean firstSeen) implements Decision {
    }

    /**
     * Carry out the planner's (or the delete rule's) action through the executor.
     *
     * @param restart it starts an exited workload again (a restart that counts)
     * @param drift   it repairs something that changed on the host, not a changed manifest
     */
    record Act(Action action, boolean restart, boolean drift) implements Decision {
    }

    /**
     * Declared, but refused by the host policy when the daemon started (a recorded source that no
     * longer passes): nothing is created or changed, and what runs of it is left running.
     */
    record PolicyRefused(String reason) implements Decision {
    }

    /** Running, up to date, but its health check failed and it may restart now: stop and start it. */
    record RestartUnhealthy(Action action) implements Decision {
    }

    /**
     * The planner refused the change (it could lose data): nothing is done, the reason is the
     * status and, when it is new, an event. Looked at again at every resync, not retried sooner.
     *
     * @param firstSeen the reason differs from the one last recorded, so it deserves an event
     */
    record LeftAlone(Action.Refused action, boolean firstSeen) implements Decision {
    }
}
