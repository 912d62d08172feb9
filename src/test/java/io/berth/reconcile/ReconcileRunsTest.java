package io.berth.reconcile;

import io.berth.manifest.HostIdentity;
import io.berth.runtime.RuntimeSet;
import io.berth.source.DesiredState;
import io.berth.source.GitSync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Webhook runs against a stand-in git source whose fetches finish when the test says. */
class ReconcileRunsTest {

    @TempDir
    Path state;

    final List<CompletableFuture<GitSync.Result>> fetches = new CopyOnWriteArrayList<>();
    final List<WorkQueue<String>> queues = new ArrayList<>();

    @AfterEach
    void close() {
        fetches.forEach(f -> f.complete(ok()));
        queues.forEach(WorkQueue::close);
    }

    static GitSync.Result ok() {
        return new GitSync.Result(null, null, null, Set.of());
    }

    ReconcileRuns runs() {
        DesiredState desired = new DesiredState("/etc/berth/manifests", Map::of, state);
        WorkQueue<String> queue = new WorkQueue<>("test", 1, k -> new WorkQueue.Done(), RetryBackoff.DEFAULT, (k, o) -> { });
        queues.add(queue);
        ApplyService apply = new ApplyService(desired, new RuntimeSet(Map.of(io.berth.manifest.Kind.Container, new io.berth.testing.FakeRuntime("agent"))), queue, new DeleteRequests(desired),
                new HostIdentity("host", Map.of()), Duration.ofSeconds(5));
        ReconcileRuns.GitFetch git = new ReconcileRuns.GitFetch() {
            @Override
            public CompletableFuture<GitSync.Result> syncNow() {
                CompletableFuture<GitSync.Result> f = new CompletableFuture<>();
                fetches.add(f);
                return f;
            }

            @Override
            public Map<String, Object> status() {
                return new java.util.LinkedHashMap<>();
            }
        };
        return new ReconcileRuns(() -> git, Set::of, apply, Duration.ofSeconds(30));
    }

    static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out").isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void replayedDeliveriesCoalesceIntoOneFetchingAndOneWaitingRun() throws Exception {
        ReconcileRuns runs = runs();
        ReconcileRuns.Accepted first = runs.webhook("webhook d-0", "accepted: fetching main");
        assertThat(first.coalesced()).isFalse();
        assertThat(first.message()).isEqualTo("accepted: fetching main");
        waitFor(() -> fetches.size() == 1);

        ReconcileRuns.Accepted second = runs.webhook("webhook d-1", "accepted: fetching main");
        assertThat(second.coalesced()).as("one may wait behind the fetch in flight").isFalse();
        for (int i = 2; i < 200; i++) {
            ReconcileRuns.Accepted a = runs.webhook("webhook d-" + i, "accepted: fetching main");
            assertThat(a.coalesced()).isTrue();
            assertThat(a.run()).isSameAs(second.run());
            assertThat(a.message()).contains("coalesced", second.run().id);
        }
        waitFor(() -> fetches.size() == 2);
        Thread.sleep(100);
        assertThat(fetches).as("200 deliveries, two fetches").hasSize(2);

        fetches.getFirst().complete(ok()); // the first fetch is over: a new delivery may wait again
        waitFor(() -> first.run().state() == ReconcileRuns.State.Succeeded);
        ReconcileRuns.Accepted third = runs.webhook("webhook d-200", "accepted: fetching main");
        assertThat(third.coalesced()).isFalse();
        assertThat(third.run()).isNotSameAs(second.run());
        waitFor(() -> fetches.size() == 3);

        fetches.forEach(f -> f.complete(ok()));
        waitFor(() -> second.run().state() == ReconcileRuns.State.Succeeded
                && third.run().state() == ReconcileRuns.State.Succeeded);
        assertThat(runs.get(second.run().id)).isSameAs(second.run());
    }

    @Test
    void aFailedFetchFreesItsPlaceToo() throws Exception {
        ReconcileRuns runs = runs();
        ReconcileRuns.Accepted a = runs.webhook("webhook a", "accepted");
        waitFor(() -> fetches.size() == 1);
        runs.webhook("webhook b", "accepted");
        waitFor(() -> fetches.size() == 2);
        fetches.get(0).completeExceptionally(new IllegalStateException("remote down"));
        fetches.get(1).completeExceptionally(new IllegalStateException("remote down"));
        waitFor(() -> a.run().state() == ReconcileRuns.State.Failed);
        waitFor(() -> !runs.webhook("webhook c", "accepted").coalesced());
    }
}
