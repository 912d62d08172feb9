package io.berth.reconcile;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Planner;
import io.berth.runtime.Observed;
import io.berth.runtime.WorkloadState;

import java.time.Instant;

/**
 * The reconciler's rules, as a function from what is known about one workload to a
 * {@link Decision}: ownership (delete only what a source of this daemon declared, or what the API
 * asked to delete), the planner's action, detect-only, the restart back-off, admission, and the
 * health-check restart, and the planner's refusals (a change that could lose data is left alone,
 * also on prune). It acts on nothing; the two pieces of bookkeeping that must be consulted
 * only when a rule reaches them (the back-off clock starts when asked, admission reserves when it
 * admits) come in through {@link Gates}. Stateless and thread-safe.
 */
final class Decisions {

    /**
     * Everything the rules read about one workload, gathered once per reconcile.
     *
     * @param want            the desired workload, null when no source declares it
     * @param have            what a runtime reports under this name (only objects this agent owns), or null
     * @param deleteRequested the API asked to delete it although no source declares it
     * @param sourceKnown     {@code have}'s source is one this daemon reads (so an undeclared object is its to delete)
     * @param status          the status book's entry from the last reconcile, or null
     * @param refused         why {@code want} may not be acted on (it failed the host policy at start), or null
     * @param redaction       how this host's records hide secret values (the planner compares through it)
     */
    record Facts(String name, Workload want, Observed have, boolean deleteRequested, boolean sourceKnown,
                 boolean detectOnly, StatusBook.Status status, Instant now, String refused, Redaction redaction) {
    }

    /** Bookkeeping consulted only when a rule needs it; each call may record (see the class comment). */
    interface Gates {
        /** When the next restart may happen ({@link Restarts#nextAllowed}); starts the back-off clock of this stop. */
        Instant restartAllowedAt();

        /** Whether it fits ({@link Admission#admit}); reserves its capacity when it does. */
        Admission.Decision admit(Admission.Need need);

        /** Why it may not start yet: the first {@code dependsOn} entry not reached ({@link DependencyWait}), or null. */
        default String waitingFor() {
            return null;
        }
    }

    private Decisions() {
    }

    static Decision decide(Facts f, Gates gates) {
        Workload want = f.want();
        Observed have = f.have();
        Action action;
        if (want != null && f.refused() != null) {
            return new Decision.PolicyRefused(f.refused()); // before any rule: it is neither created, changed nor deleted
        }
        if (want == null) {
            if (have == null || !(f.deleteRequested() || f.sourceKnown())) {
                return new Decision.Forget(); // not ours to remove: no source of this daemon declared it
            }
            // A VM Berth cannot read is never pruned; deleting it on request keeps its disk aside.
            action = !f.deleteRequested() && Planner.unreadableVm(have) ? Planner.unreadable(have)
                    : new Action.Delete(have, f.deleteRequested() ? "deletion requested"
                    : "no longer declared in " + have.source());
        } else {
            action = Planner.decide(want, have, f.redaction());
        }
        if (action instanceof Action.Refused refused) {
            StatusBook.Status before = f.status();
            return new Decision.LeftAlone(refused, before == null || !refused.reason().equals(before.lastError()));
        }
        if (!action.hasEffect()) {
            return steady(f, gates, action);
        }
        if (f.detectOnly()) {
            String drift = "would " + action.description() + ": " + action.reason();
            StatusBook.Status before = f.status();
            // Once per distinct drift, not at every resync.
            boolean firstSeen = before == null || before.phase() != StatusBook.Phase.Drifted
                    || !drift.equals(before.lastError());
            return new Decision.ReportDrift(action, drift, firstSeen);
        }
        boolean restart = action instanceof Action.Start && have != null && have.state() == WorkloadState.Exited;
        if (restart) {
            Instant next = gates.restartAllowedAt();
            if (next.isAfter(f.now())) {
                return new Decision.WaitBackoff(action, next, false);
            }
        }
        if (action instanceof Action.Create || action instanceof Action.Recreate || action instanceof Action.Start) {
            String wait = gates.waitingFor();
            if (wait != null) {
                StatusBook.Status before = f.status();
                return new Decision.Waiting(action, wait, before == null || !wait.equals(before.lastError()));
            }
        }
        if (!(action instanceof Action.Delete)) {
            Admission.Decision fit = gates.admit(Admission.Need.of(want));
            if (!fit.admitted()) {
                StatusBook.Status before = f.status();
                return new Decision.Pending(action, fit.reason(), before == null || !fit.reason().equals(before.lastError()));
            }
        }
        return new Decision.Act(action, restart, isDrift(f, action));
    }

    /** Nothing to change in the spec: it runs (restart it if its health check failed), or it stays stopped. */
    private static Decision steady(Facts f, Gates gates, Action action) {
        Observed have = f.have();
        if (have != null && have.state() == WorkloadState.Running) {
            if (have.unhealthy() && restartable(f.want()) && !f.detectOnly()) {
                // Docker marks a container unhealthy after its check failed `retries` times, but never restarts it (moby#28400).
                Instant next = gates.restartAllowedAt();
                return next.isAfter(f.now()) ? new Decision.WaitBackoff(action, next, true)
                        : new Decision.RestartUnhealthy(action);
            }
            return new Decision.Steady(action);
        }
        return new Decision.StaysStopped(action);
    }

    private static boolean restartable(Workload w) {
        return !(w.spec() instanceof ContainerSpec c) || c.restartPolicy() != ContainerSpec.RestartPolicy.Never;
    }

    /** A repair of something that changed on the host, not of a changed manifest. */
    private static boolean isDrift(Facts f, Action action) {
        if (f.want() == null || action instanceof Action.Delete) {
            return false;
        }
        if (f.have() == null) {
            StatusBook.Status s = f.status();
            return s != null && s.phase() == StatusBook.Phase.Running; // it ran, then vanished
        }
        String recorded = f.have().specHash();
        // An object recorded before secrets were redacted carries the hash of the clear spec.
        return recorded != null && (recorded.equals(f.redaction().specHash(f.want()))
                || recorded.equals(CanonicalForm.specHash(f.want())));
    }
}
