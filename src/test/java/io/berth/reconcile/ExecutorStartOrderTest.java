package io.berth.reconcile;

import io.berth.manifest.Dependency;
import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeSet;
import io.berth.testing.FakeRuntime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A local apply (the Executor) honours dependsOn: a dependant is created once its dependency reached its condition. */
class ExecutorStartOrderTest {

    static Workload dependsOn(Workload w, Dependency... deps) {
        return new Workload(w.name(), w.labels(), w.resources(), w.placement(), w.spec(), w.origin(), Map.of(), List.of(deps));
    }

    final FakeRuntime runtime = new FakeRuntime("agent");
    final Executor executor = new Executor(new RuntimeSet(Map.of(Kind.Container, runtime)),
            w -> new Ownership("agent", "/dir"), 4, Duration.ofSeconds(1));

    @Test
    void theDependantIsCreatedOnlyAfterItsDependencyIsHealthyEvenWhenListedFirst() throws Exception {
        Workload app = dependsOn(TestWorkloads.container("app"), new Dependency("db", Dependency.Condition.healthy));
        Plan plan = new Plan(List.of(new Action.Create(app, "new"), new Action.Create(TestWorkloads.container("db"), "new")));
        Map<String, Long> finished = new ConcurrentHashMap<>();
        Thread health = Thread.ofPlatform().start(() -> {
            while (!runtime.calls.contains("start db")) {
                Thread.onSpinWait();
            }
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                return;
            }
            finished.put("healthy", System.nanoTime());
            runtime.setHealth("db", "healthy");
        });
        ApplyResult r = executor.execute(plan, o -> finished.put(o.action().name(), System.nanoTime()));
        health.join();
        assertThat(r.outcomes()).allMatch(o -> o.error() == null);
        assertThat(runtime.calls).containsSubsequence("create db", "start db", "create app", "start app");
        assertThat(finished.get("app")).as("after db was healthy").isGreaterThan(finished.get("healthy"));
    }

    @Test
    void aDependencyThatFailsLeavesTheDependantNotStartedWithTheReason() {
        runtime.refuseStart.add("db");
        Workload app = dependsOn(TestWorkloads.container("app"), new Dependency("db", Dependency.Condition.started));
        Plan plan = new Plan(List.of(new Action.Create(TestWorkloads.container("db"), "new"), new Action.Create(app, "new")));
        ApplyResult r = executor.execute(plan, o -> { });
        Outcome appOutcome = r.outcomes().stream().filter(o -> o.action().name().equals("app")).findFirst().orElseThrow();
        assertThat(appOutcome.error()).startsWith("app: not started: its dependency db failed (");
        assertThat(runtime.calls).doesNotContain("create app");
    }
}
