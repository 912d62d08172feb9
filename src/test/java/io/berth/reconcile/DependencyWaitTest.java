package io.berth.reconcile;

import static io.berth.reconcile.DecisionsTest.facts;
import static io.berth.reconcile.DecisionsTest.observed;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.manifest.Dependency;
import io.berth.manifest.Dependency.Condition;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.runtime.Observed;
import io.berth.runtime.WorkloadState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-order rule: which state of a dependency lets a dependant start, and the Pending decision when not. */
class DependencyWaitTest {

    static Workload dependant(Dependency... deps) {
        Workload w = TestWorkloads.container("app");
        return new Workload(w.name(), w.labels(), w.resources(), w.placement(), w.spec(), w.origin(), Map.of(), List.of(deps));
    }

    static Observed state(WorkloadState s, Integer exit, String health) {
        Observed o = observed(TestWorkloads.container("db"), "/dir", s, health);
        return new Observed(o.name(), o.kind(), o.runtimeId(), s, exit, false, o.source(), o.agent(), o.specHash(), o.applied(),
                o.limits(), o.notes(), health);
    }

    /** Gates that say the dependency is not there, and record what was asked. */
    static final class Waiting implements Decisions.Gates {
        final List<String> asked = new java.util.ArrayList<>();

        @Override
        public Instant restartAllowedAt() {
            asked.add("restart");
            return Instant.MIN;
        }

        @Override
        public Admission.Decision admit(Admission.Need need) {
            asked.add("admit");
            return DecisionsTest.FITS;
        }

        @Override
        public String waitingFor() {
            asked.add("wait");
            return "waiting for db to be healthy";
        }
    }

    @Test
    void eachConditionIsReachedOnlyByItsState() {
        Dependency started = new Dependency("db", Condition.started);
        Dependency healthy = new Dependency("db", Condition.healthy);
        Dependency completed = new Dependency("db", Condition.completed);
        assertThat(DependencyWait.reached(started, null)).isFalse();
        assertThat(DependencyWait.reached(started, state(WorkloadState.Running, null, null))).isTrue();
        assertThat(DependencyWait.reached(started, state(WorkloadState.Created, null, null))).isFalse();
        assertThat(DependencyWait.reached(healthy, state(WorkloadState.Running, null, "starting"))).isFalse();
        assertThat(DependencyWait.reached(healthy, state(WorkloadState.Running, null, "unhealthy"))).isFalse();
        assertThat(DependencyWait.reached(healthy, state(WorkloadState.Running, null, "healthy"))).isTrue();
        assertThat(DependencyWait.reached(completed, state(WorkloadState.Running, null, null))).isFalse();
        assertThat(DependencyWait.reached(completed, state(WorkloadState.Exited, 1, null))).isFalse();
        assertThat(DependencyWait.reached(completed, state(WorkloadState.Exited, 0, null))).isTrue();
        assertThat(DependencyWait.reached(started, state(WorkloadState.Exited, 0, null))).isTrue();
    }

    @Test
    void aDependencyAboutToBeRecreatedIsNotThereYet() {
        Workload app = dependant(new Dependency("db", Condition.started));
        Observed running = state(WorkloadState.Running, null, null);
        assertThat(DependencyWait.waitingFor(app, n -> running, o -> true)).isNull();
        assertThat(DependencyWait.waitingFor(app, n -> running, o -> false))
                .isEqualTo("waiting for db to be recreated from its manifest");
    }

    @Test
    void theFirstUnreachedDependencyIsTheReason() {
        Workload app = dependant(new Dependency("cache", Condition.started), new Dependency("db", Condition.healthy));
        Map<String, Observed> host = Map.of("cache", state(WorkloadState.Running, null, null),
                "db", state(WorkloadState.Running, null, "starting"));
        assertThat(DependencyWait.waitingFor(app, host::get)).isEqualTo("waiting for db to be healthy");
        assertThat(DependencyWait.waitingFor(app, Map.of("cache", state(WorkloadState.Running, null, null),
                "db", state(WorkloadState.Running, null, "healthy"))::get)).isNull();
        assertThat(DependencyWait.waitingFor(dependant(), n -> null)).isNull();
    }

    @Test
    void aCreateWaitsPendingBeforeAdmissionAndSaysSoOnce() {
        Workload app = dependant(new Dependency("db", Condition.healthy));
        Waiting gates = new Waiting();
        Decision d = Decisions.decide(facts("app", app, null, false, false, false, null), gates);
        assertThat(d).isInstanceOfSatisfying(Decision.Waiting.class, w -> {
            assertThat(w.action()).isInstanceOf(Action.Create.class);
            assertThat(w.reason()).isEqualTo("waiting for db to be healthy");
            assertThat(w.firstSeen()).isTrue();
        });
        assertThat(gates.asked).containsExactly("wait"); // nothing reserved while it waits
        Decision again = Decisions.decide(facts("app", app, null, false, false, false,
                DecisionsTest.status("app", StatusBook.Phase.Pending, "waiting for db to be healthy")), gates);
        assertThat(again).isInstanceOfSatisfying(Decision.Waiting.class, w -> assertThat(w.firstSeen()).isFalse());
    }

    @Test
    void aRunningUpToDateWorkloadIsNotHeldByItsDependency() {
        Workload app = dependant(new Dependency("db", Condition.healthy));
        Waiting gates = new Waiting();
        Decision d = Decisions.decide(facts("app", app, observed(app, "/dir", WorkloadState.Running, null), false, true, false, null), gates);
        assertThat(d).isInstanceOf(Decision.Steady.class);
    }
}
