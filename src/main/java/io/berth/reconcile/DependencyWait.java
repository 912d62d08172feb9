package io.berth.reconcile;

import io.berth.manifest.Dependency;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.WorkloadState;

import java.util.function.Function;

/**
 * The start-order rule: a workload is started (created, recreated or started again) only once each
 * of its {@code dependsOn} entries reached its condition on this host. Pure and thread-safe; what a
 * dependency is comes in through {@code observe} (null when nothing runs under that name).
 */
final class DependencyWait {

    private DependencyWait() {
    }

    /** The Pending reason of the first dependency not there yet ("waiting for db to be healthy"), or null. */
    static String waitingFor(Workload want, Function<String, Observed> observe) {
        return waitingFor(want, observe, name -> true);
    }

    /**
     * The same, where {@code current} says whether what runs under a name may stay as it is (the
     * planner would not recreate it): a dependency about to be recreated is not there yet, so a
     * dependant recreated in the same pass starts after the new dependency, not the old one.
     */
    static String waitingFor(Workload want, Function<String, Observed> observe, java.util.function.Predicate<Observed> current) {
        for (Dependency d : want.dependsOn()) {
            Observed o = observe.apply(d.name());
            if (!reached(d, o)) {
                return d.waitingFor();
            }
            if (!current.test(o)) {
                return "waiting for " + d.name() + " to be recreated from its manifest";
            }
        }
        return null;
    }

    static boolean reached(Dependency d, Observed o) {
        if (o == null) {
            return false;
        }
        boolean completed = o.state() == WorkloadState.Exited && Integer.valueOf(0).equals(o.exitCode());
        return switch (d.condition()) {
            case started -> o.state() == WorkloadState.Running || completed;
            case healthy -> o.state() == WorkloadState.Running && "healthy".equals(o.health());
            case completed -> completed;
        };
    }
}
