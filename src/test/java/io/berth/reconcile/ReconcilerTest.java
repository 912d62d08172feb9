package io.berth.reconcile;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.WorkloadState;
import io.berth.source.DesiredState;
import io.berth.testing.FakeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.berth.reconcile.TestWorkloads.container;
import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler and its runner end to end, against the in-memory runtime: the rules as the host sees them. */
class ReconcilerTest {

    static final String DIR = "/etc/berth/manifests";
    static final String AGENT = "agent";
    static final long GI = 1L << 30;

    @TempDir
    Path state;

    final FakeRuntime runtime = new FakeRuntime(AGENT);
    final Map<String, Workload> declared = new ConcurrentHashMap<>();
    final StatusBook book = new StatusBook();
    final Restarts restarts = new Restarts(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));
    final ReconcileReports reports = new ReconcileReports();
    final List<ReconcileReports.Report> reported = new CopyOnWriteArrayList<>();
    final List<Set<String>> retried = new CopyOnWriteArrayList<>();
    DesiredState desired;
    DeleteRequests deletes;

    /** Whether the watched directory's set is in force (it was read once). */
    volatile boolean directoryInForce = true;

    /** 1.5 cores and 3 GiB allocatable unless a test says otherwise. */
    Reconciler reconciler(boolean detectOnly, Admission admission) {
        desired = new DesiredState(DIR, () -> declared, () -> directoryInForce, state, w -> true);
        deletes = new DeleteRequests(desired);
        reports.subscribe(reported::add);
        return new Reconciler(new RuntimeSet(Map.of(Kind.Container, runtime)), desired, admission, restarts, AGENT,
                detectOnly, Duration.ofSeconds(1), book, reports, deletes, retried::add);
    }

    Reconciler reconciler() {
        return reconciler(false, new Admission(new Admission.Allocatable(2000, 4 * GI, 500, GI, 1.0, 1.0)));
    }

    List<String> events(String name) {
        return book.events().stream().filter(e -> name.equals(e.name())).map(e -> e.type() + " " + e.message()).toList();
    }

    @Test
    void createsWhatIsDeclaredAndReportsIt() {
        Reconciler r = reconciler();
        declared.put("web", container("web"));
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).containsExactly("create web", "start web");
        assertThat(book.get("web").phase()).isEqualTo(StatusBook.Phase.Running);
        assertThat(events("web")).containsExactly("Created create: not present on this host");
        assertThat(reported).singleElement().satisfies(rep -> {
            assertThat(rep.name()).isEqualTo("web");
            assertThat(rep.outcome().done()).isEqualTo("created");
            assertThat(rep.outcome().ok()).isTrue();
        });
    }

    @Test
    void anObjectOfASourceThisDaemonDoesNotKnowIsNeverDeleted() {
        Reconciler r = reconciler();
        runtime.putOwned(container("web"), "/somewhere/else", WorkloadState.Running);
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).isEmpty();
        assertThat(runtime.has("web")).isTrue();
        assertThat(book.get("web")).isNull();
    }

    @Test
    void anUndeclaredObjectOfAKnownSourceIsDeleted() {
        Reconciler r = reconciler();
        runtime.putOwned(container("web"), DIR, WorkloadState.Running);
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).containsExactly("stop web", "remove web");
        assertThat(runtime.has("web")).isFalse();
        assertThat(book.get("web")).isNull();
        assertThat(events("web")).containsExactly("Deleted delete: no longer declared in " + DIR);
    }

    @Test
    void aRequestedDeleteRemovesAnObjectNoSourceDeclares() {
        Reconciler r = reconciler();
        runtime.putOwned(container("web"), "/local/apply", WorkloadState.Running);
        long generation = deletes.request("web");
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.has("web")).isFalse();
        assertThat(reported.getLast().generation()).isEqualTo(generation);
        runtime.putOwned(container("web"), "/local/apply", WorkloadState.Running);
        r.reconcile("web");
        assertThat(runtime.has("web")).as("a request is taken once").isTrue();
    }

    @Test
    void detectOnlyReportsEachDistinctDriftOnceAndActsOnNothing() {
        Reconciler r = reconciler(true, new Admission(new Admission.Allocatable(2000, 4 * GI, 0, 0, 1.0, 1.0)));
        declared.put("web", container("web"));
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).isEmpty();
        assertThat(book.get("web").phase()).isEqualTo(StatusBook.Phase.Drifted);
        assertThat(events("web")).singleElement().asString().startsWith("DriftDetected would create");
        declared.put("web", container("web", "1", "256Mi", "Always"));
        runtime.putOwned(container("web"), DIR, WorkloadState.Running);
        r.reconcile("web");
        r.reconcile("web");
        assertThat(runtime.calls).isEmpty();
        assertThat(events("web")).hasSize(2);
        assertThat(events("web").getLast()).startsWith("DriftDetected would update");
    }

    @Test
    void aContainerTheEngineCannotStartForALeftoverTaskIsReplacedByANewOneFromTheSameSpec() {
        Reconciler r = reconciler();
        Workload web = container("web");
        declared.put("web", web);
        // A create whose start raced dockerd's shutdown: the container exists, never started, and
        // containerd still holds its task, so every start of it is refused.
        runtime.putOwned(web, DIR, WorkloadState.Created);
        runtime.leftoverTask.add("web");
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).containsExactly("start web", "remove web", "create web", "start web");
        assertThat(book.get("web").phase()).isEqualTo(StatusBook.Phase.Running);
        assertThat(events("web")).singleElement().asString().contains("recreated: web: start: task id-web: already exists");
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).as("steady afterwards").hasSize(4);
    }

    @Test
    void anExitedWorkloadIsNotRestartedBeforeItsBackoff() {
        Reconciler r = reconciler();
        Workload web = container("web");
        declared.put("web", web);
        runtime.putOwned(web, DIR, WorkloadState.Exited);
        assertThat(r.reconcile("web")).as("the first restart is immediate").isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).containsExactly("start web");
        assertThat(events("web")).containsExactly("Restarted start: exited with code 1; restartPolicy is Always");
        assertThat(restarts.total("web")).isEqualTo(1);

        runtime.exit("web", 1);
        WorkQueue.Result next = r.reconcile("web");
        assertThat(next).isInstanceOfSatisfying(WorkQueue.RequeueAfter.class, q -> {
            assertThat(q.reason()).isEqualTo("restart back-off");
            assertThat(q.delay()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
        });
        assertThat(runtime.calls).containsExactly("start web");
        StatusBook.Status s = book.get("web");
        assertThat(s.phase()).isEqualTo(StatusBook.Phase.Stopped);
        assertThat(s.nextAttempt()).isNotNull();
        assertThat(s.lastError()).contains("restart back-off until");
    }

    @Test
    void aWorkloadThatDoesNotFitStaysPendingAndReleasedCapacityRetriesIt() {
        Reconciler r = reconciler();
        declared.put("big", container("big", "1", "1Gi", "Always"));
        declared.put("next", container("next", "1", "1Gi", "Always"));
        assertThat(r.reconcile("big")).isEqualTo(new WorkQueue.Done());
        WorkQueue.Result waiting = r.reconcile("next");
        assertThat(waiting).isEqualTo(new WorkQueue.RequeueAfter(DecisionRunner.PENDING_RECHECK, "waiting for capacity"));
        StatusBook.Status s = book.get("next");
        assertThat(s.phase()).isEqualTo(StatusBook.Phase.Pending);
        assertThat(s.lastError()).startsWith("does not fit on this host: cpu needs 1, free 500m");
        r.reconcile("next");
        assertThat(events("next")).as("one event per reason").hasSize(1).first().asString().startsWith("Pending ");
        assertThat(runtime.has("next")).isFalse();

        declared.remove("big");
        assertThat(r.reconcile("big")).isEqualTo(new WorkQueue.Done());
        assertThat(retried).containsExactly(Set.of("next"));
        assertThat(r.reconcile("next")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.has("next")).isTrue();
    }

    @Test
    void anUnhealthyWorkloadIsRestartedThroughTheExecutorAndCounted() {
        Reconciler r = reconciler();
        Workload web = container("web");
        declared.put("web", web);
        runtime.putOwned(web, DIR, WorkloadState.Running);
        runtime.setHealth("web", "unhealthy");
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).containsExactly("stop web", "start web");
        assertThat(restarts.total("web")).isEqualTo(1);
        assertThat(book.get("web").restarts()).isEqualTo(1);
        assertThat(book.get("web").lastAction()).isEqualTo("restart");
        assertThat(events("web")).containsExactly("Restarted restart: its health check failed (Docker reports it unhealthy)");
        assertThat(reported.getLast().outcome().action()).isEqualTo("start");
        assertThat(reported.getLast().outcome().ok()).isTrue();

        runtime.setHealth("web", "unhealthy");
        assertThat(r.reconcile("web")).as("the second restart waits").isInstanceOf(WorkQueue.RequeueAfter.class);
        assertThat(runtime.calls).hasSize(2);
        assertThat(book.get("web").lastError()).startsWith("health check failing; restart back-off until");
    }

    @Test
    void aNameTakenByAForeignObjectIsTerminalAndReportedOnce() {
        Reconciler r = reconciler();
        declared.put("web", container("web"));
        runtime.putForeign("web");
        WorkQueue.Result result = r.reconcile("web");
        assertThat(result).isInstanceOfSatisfying(WorkQueue.Terminal.class,
                t -> assertThat(t.reason()).startsWith("web: a container named berth-web already exists"));
        StatusBook.Status s = book.get("web");
        assertThat(s.phase()).isEqualTo(StatusBook.Phase.Failed);
        assertThat(s.lastError()).startsWith("web: ");
        assertThat(r.reconcile("web")).as("a resync tries again").isInstanceOf(WorkQueue.Terminal.class);
        assertThat(events("web")).as("but reports it once").singleElement().asString().startsWith("Failed web: a container");
        assertThat(runtime.calls).containsExactly("create web", "create web");
        assertThat(runtime.has("web")).as("never removed: not ours").isTrue();
    }

    @Test
    void theWorkQueueDoesNotRetryATerminalReconcile() throws InterruptedException {
        Reconciler r = reconciler();
        declared.put("web", container("web"));
        runtime.putForeign("web");
        try (WorkQueue<String> queue = new WorkQueue<>("test", 1, r::reconcile,
                new RetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0), (k, o) -> { })) {
            queue.enqueue("web");
            assertThat(queue.awaitIdle(Duration.ofSeconds(5))).isTrue();
            Thread.sleep(50); // several backoffs long: a retry would have run by now
            assertThat(queue.awaitIdle(Duration.ofSeconds(5))).isTrue();
            assertThat(queue.nextRetry("web")).isEmpty();
            assertThat(runtime.calls).containsExactly("create web");
        }
    }

    @Test
    void aFailedCreateIsRetriedEveryTimeAndLeavesNothingBehind() {
        Reconciler r = reconciler();
        declared.put("web", container("web"));
        runtime.refuseStart.add("web");
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Retry("web: start refused"));
        assertThat(runtime.calls).containsExactly("create web", "start web", "remove web");
        assertThat(runtime.has("web")).as("the reverter removed it").isFalse();
        assertThat(book.get("web").phase()).isEqualTo(StatusBook.Phase.Failed);
        assertThat(r.reconcile("web")).isInstanceOf(WorkQueue.Retry.class);
        assertThat(events("web")).as("a retryable failure is an event each time, as before")
                .containsExactly("Failed web: start refused", "Failed web: start refused");
    }

    @Test
    void whileTheDirectoryWasNeverReadItsRunningWorkloadsAreLeftAlone() {
        Reconciler r = reconciler();
        directoryInForce = false; // missing at boot: its filesystem not mounted yet
        runtime.putOwned(container("web"), DIR, WorkloadState.Running);
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.calls).isEmpty();
        assertThat(runtime.has("web")).isTrue();

        directoryInForce = true; // read, and empty: an existing empty directory prunes
        assertThat(r.reconcile("web")).isEqualTo(new WorkQueue.Done());
        assertThat(runtime.has("web")).isFalse();
    }

    @Test
    void pruningEveryWorkloadOfASourceIsOneWarningEventPerEpisode() {
        Reconciler r = reconciler();
        runtime.putOwned(container("web"), DIR, WorkloadState.Running);
        runtime.putOwned(container("db"), DIR, WorkloadState.Running);
        r.reconcile("web");
        r.reconcile("db");
        assertThat(runtime.has("web") || runtime.has("db")).isFalse();
        List<String> pruned = book.events().stream().filter(e -> e.type().equals("PrunedAll")).map(StatusBook.Event::message).toList();
        assertThat(pruned).singleElement().satisfies(m -> assertThat(m).contains("source " + DIR, "declares no workload",
                "web first"));

        declared.put("web", container("web")); // it declares something again: the next emptying is news
        r.reconcile("web");
        declared.clear();
        r.reconcile("web");
        assertThat(book.events().stream().filter(e -> e.type().equals("PrunedAll"))).hasSize(2);
    }

    @Test
    void pruningSomeWorkloadsOfASourceIsNoWarning() {
        Reconciler r = reconciler();
        declared.put("db", container("db"));
        runtime.putOwned(container("web"), DIR, WorkloadState.Running);
        r.reconcile("web");
        assertThat(runtime.has("web")).isFalse();
        assertThat(book.events()).noneMatch(e -> e.type().equals("PrunedAll"));
    }

    @Test
    void aWorkloadRefusedByThePolicyAtLoadIsNeitherCreatedNorChangedNorDeleted() throws Exception {
        Workload priv = privileged("agent-x", "500m");
        Reconciler r = reconciler();
        desired.apply(Map.of("/src/ops", List.of(priv, container("idle"))), true);
        desired = new DesiredState(DIR, () -> declared, () -> true, state, w -> true);
        desired.load(io.berth.manifest.HostPolicy.of(null, false), book);
        r = new Reconciler(new RuntimeSet(Map.of(Kind.Container, runtime)), desired,
                new Admission(new Admission.Allocatable(2000, 4 * GI, 500, GI, 1.0, 1.0)), restarts, AGENT, false,
                Duration.ofSeconds(1), book, reports, new DeleteRequests(desired), retried::add);

        assertThat(r.reconcile("agent-x")).isInstanceOf(WorkQueue.Terminal.class);
        assertThat(runtime.calls).as("not created").isEmpty();
        assertThat(book.get("agent-x").phase()).isEqualTo(StatusBook.Phase.Failed);
        assertThat(book.get("agent-x").lastError()).contains("privileged");
        assertThat(r.reconcile("idle")).as("the source's other workloads still are").isEqualTo(new WorkQueue.Done());
        assertThat(runtime.has("idle")).isTrue();

        runtime.calls.clear();
        Workload running = privileged("agent-x", "200m"); // what it was, before an edit now refused
        runtime.putOwned(running, "/src/ops", WorkloadState.Running); // it ran before the policy was tightened
        assertThat(r.reconcile("agent-x")).isInstanceOf(WorkQueue.Terminal.class);
        assertThat(runtime.calls).as("a running offender is left alone: no update, no delete").isEmpty();
        assertThat(book.get("agent-x").phase()).isEqualTo(StatusBook.Phase.Running);
        assertThat(events("agent-x")).singleElement().satisfies(e -> assertThat(e).startsWith("PolicyRefused source /src/ops"));
    }

    static Workload privileged(String name, String cpu) {
        var r = new io.berth.manifest.ManifestParser(io.berth.manifest.HostPolicy.ANY).parse(Path.of(name + ".yaml"), """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: nginx
                  securityContext: {privileged: true}
                  resources: {limits: {cpu: %s, memory: 64Mi}}
                """.formatted(name, cpu));
        assertThat(r.errors()).isEmpty();
        return r.workloads().getFirst();
    }
}
