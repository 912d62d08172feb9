package io.berth.reconcile;


import io.berth.reconcile.WorkQueue.Done;
import io.berth.reconcile.WorkQueue.Outcome;
import io.berth.reconcile.WorkQueue.RequeueAfter;
import io.berth.reconcile.WorkQueue.Result;
import io.berth.reconcile.WorkQueue.Retry;
import io.berth.reconcile.WorkQueue.Terminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real-thread tests of {@link WorkQueue}. Ordering is forced with latches; time is only asserted as
 * lower bounds (a gap is at least the backoff) or generous upper bounds.
 */
class WorkQueueTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final RetryBackoff SLOW = new RetryBackoff(Duration.ofSeconds(30), Duration.ofSeconds(60), 2.0);

    final List<WorkQueue<String>> queues = new ArrayList<>();
    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    final List<Outcome> outcomes = new CopyOnWriteArrayList<>();

    WorkQueue<String> queue(int workers, Function<String, Result> handler, RetryBackoff backoff) {
        return queue(workers, handler, backoff, (k, o) -> outcomes.add(o));
    }

    WorkQueue<String> queue(int workers, Function<String, Result> handler, RetryBackoff backoff,
                            BiConsumer<String, Outcome> listener) {
        WorkQueue<String> q = new WorkQueue<>("test", workers, key -> {
            runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return handler.apply(key);
        }, backoff, listener);
        queues.add(q);
        return q;
    }

    int runs(String key) {
        AtomicInteger n = runs.get(key);
        return n == null ? 0 : n.get();
    }

    @AfterEach
    void closeAll() {
        queues.forEach(WorkQueue::close);
    }

    static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("latch reached in time").isTrue();
    }

    /** A handler whose first run of {@code key} signals {@code started} and blocks until {@code release}. */
    static Function<String, Result> blockFirst(String key, CountDownLatch started, CountDownLatch release) {
        AtomicInteger seen = new AtomicInteger();
        return k -> {
            if (k.equals(key) && seen.getAndIncrement() == 0) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Done();
        };
    }

    @Test
    void duplicatesOfAWaitingKeyCollapseIntoOneRun() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkQueue<String> q = queue(1, blockFirst("blocker", started, release), SLOW);
        q.enqueue("blocker");
        await(started); // the only worker is busy, so "web" can only wait
        for (int i = 0; i < 100; i++) {
            q.enqueue("web");
        }
        assertThat(q.depth()).isEqualTo(1);
        release.countDown();

        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(1);
    }

    @Test
    void duplicatesOfARunningKeyRunExactlyOnceMore() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkQueue<String> q = queue(4, blockFirst("web", started, release), SLOW);
        q.enqueue("web");
        await(started);
        for (int i = 0; i < 100; i++) {
            q.enqueue("web");
        }
        assertThat(q.inFlight()).containsExactly("web");
        assertThat(q.depth()).as("a dirty in-flight key is not also waiting").isZero();
        release.countDown();

        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(2);
    }

    @Test
    void aKeyNeverRunsConcurrentlyWithItself() throws Exception {
        Map<String, AtomicInteger> concurrent = new ConcurrentHashMap<>();
        AtomicInteger maxConcurrent = new AtomicInteger();
        AtomicInteger maxAcrossKeys = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        WorkQueue<String> q = queue(4, key -> {
            int now = concurrent.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            maxAcrossKeys.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            concurrent.get(key).decrementAndGet();
            return new Done();
        }, SLOW);

        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            Thread t = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    q.enqueue("key-" + (i % 3));
                }
            });
            producers.add(t);
            t.start();
        }
        for (Thread t : producers) {
            t.join();
        }

        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(maxConcurrent.get()).as("runs of one key at once").isEqualTo(1);
        assertThat(maxAcrossKeys.get()).as("never more runs than keys").isLessThanOrEqualTo(3);
        assertThat(runs.keySet()).containsExactlyInAnyOrder("key-0", "key-1", "key-2");
        assertThat(q.inFlight()).isEmpty();
    }

    @Test
    void dirtyKeyRunsOnceMoreAfterTheCurrentRunNeverDuring() throws Exception {
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Function<String, Result> block = blockFirst("web", started, release);
        WorkQueue<String> q = queue(4, key -> {
            if (!key.equals("web")) {
                return block.apply(key);
            }
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                return block.apply(key);
            } finally {
                concurrent.decrementAndGet();
            }
        }, SLOW);
        q.enqueue("web");
        await(started);
        q.enqueue("web"); // dirty: three idle workers must not pick it up now
        q.enqueue("other"); // proves the idle workers are alive
        assertThat(q.awaitIdle(Duration.ofMillis(200))).isFalse();
        assertThat(runs("web")).isEqualTo(1);
        assertThat(runs("other")).isEqualTo(1);
        release.countDown();

        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(2);
        assertThat(maxConcurrent.get()).as("web never overlapped itself").isEqualTo(1);
    }

    @Test
    void differentKeysRunInParallel() throws Exception {
        CountDownLatch bothIn = new CountDownLatch(2);
        List<Boolean> metInside = Collections.synchronizedList(new ArrayList<>());
        WorkQueue<String> q = queue(2, key -> {
            bothIn.countDown();
            try {
                metInside.add(bothIn.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Done();
        }, SLOW);
        q.enqueue("a");
        q.enqueue("b");

        assertThat(q.awaitIdle(WAIT.plusSeconds(5))).isTrue();
        assertThat(metInside).containsExactly(true, true);
    }

    @Test
    void retryBackoffGrowsCapsAndResetsAfterDone() throws Exception {
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 2.0);
        List<Long> starts = new CopyOnWriteArrayList<>();
        List<Integer> failuresSeen = new CopyOnWriteArrayList<>();
        List<Duration> scheduledIn = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<WorkQueue<String>> self = new AtomicReference<>();
        // Runs 1-5 retry, run 6 is Done, run 7 (after a fresh enqueue) retries once more.
        self.set(queue(1, key -> {
            starts.add(System.nanoTime());
            int n = calls.incrementAndGet();
            return n <= 5 || n == 7 ? new Retry("not yet " + n) : new Done();
        }, backoff, (key, outcome) -> {
            outcomes.add(outcome);
            failuresSeen.add(self.get().failures(key));
            scheduledIn.add(self.get().nextRetry(key).map(at -> Duration.between(Instant.now(), at)).orElse(null));
            if (outcome.result() instanceof Done) {
                done.countDown();
            }
        }));
        WorkQueue<String> q = self.get();
        q.enqueue("web");
        await(done);

        assertThat(starts).hasSize(6);
        long[] expected = {10, 20, 40, 40, 40};
        for (int i = 0; i < expected.length; i++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(starts.get(i + 1) - starts.get(i));
            assertThat(gapMs).as("gap before attempt %d", i + 2).isGreaterThanOrEqualTo(expected[i]);
        }
        assertThat(outcomes).extracting(Outcome::attempt).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(outcomes.get(4).result()).isEqualTo(new Retry("not yet 5"));
        assertThat(failuresSeen).containsExactly(1, 2, 3, 4, 5, 0);
        // The 5th retry is scheduled at the cap (40 ms), not 160 ms.
        assertThat(scheduledIn.get(4)).isNotNull().isLessThanOrEqualTo(Duration.ofMillis(60));
        assertThat(scheduledIn.get(5)).as("Done leaves nothing scheduled").isNull();
        assertThat(q.failures("web")).isZero();

        q.enqueue("web"); // run 7: the streak starts over
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(outcomes.get(6).attempt()).isEqualTo(1);
        assertThat(failuresSeen.get(6)).isEqualTo(1);
        assertThat(scheduledIn.get(6)).isNotNull().isLessThanOrEqualTo(Duration.ofMillis(30));
    }

    @Test
    void backoffDelayIsExponentialAndCapped() {
        RetryBackoff b = new RetryBackoff(Duration.ofMillis(10), Duration.ofMillis(40), 2.0);
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(10));
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(20));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(40));
        assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(40));
        assertThat(b.delay(10_000)).isEqualTo(Duration.ofMillis(40));
        assertThat(RetryBackoff.DEFAULT.delay(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(RetryBackoff.DEFAULT.delay(100)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void requeueAfterRunsAgainAfterTheDelayAndResetsFailures() throws Exception {
        List<Long> starts = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(1);
        WorkQueue<String> q = queue(1, key -> {
            starts.add(System.nanoTime());
            return switch (calls.incrementAndGet()) {
                case 1 -> new Retry("flaky");
                case 2 -> new RequeueAfter(Duration.ofMillis(150), "waiting for health");
                default -> {
                    third.countDown();
                    yield new Done();
                }
            };
        }, new RetryBackoff(Duration.ofMillis(5), Duration.ofMillis(5), 1.0));
        q.enqueue("web");
        await(third);

        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(starts.get(2) - starts.get(1))).isGreaterThanOrEqualTo(150);
        assertThat(outcomes).extracting(Outcome::attempt).containsExactly(1, 2, 1);
        assertThat(q.failures("web")).isZero();
        assertThat(runs("web")).isEqualTo(3);
    }

    @Test
    void requeueAfterIsVisibleAsNextRun() throws Exception {
        WorkQueue<String> q = queue(1, key -> new RequeueAfter(Duration.ofMinutes(5), "later"), SLOW);
        q.enqueue("web");
        assertThat(q.awaitIdle(WAIT)).isTrue();

        assertThat(q.nextRetry("web")).get()
                .satisfies(at -> assertThat(at).isAfter(Instant.now().plus(Duration.ofMinutes(4))));
        assertThat(q.failures("web")).isZero();
    }

    @Test
    void terminalIsReportedAndNotRetriedUntilEnqueuedAgain() throws Exception {
        WorkQueue<String> q = queue(1, key -> new Terminal("image policy forbids latest"),
                new RetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0));
        q.enqueue("web");
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(outcomes).extracting(Outcome::result).containsExactly(new Terminal("image policy forbids latest"));
        assertThat(q.nextRetry("web")).isEmpty();

        Thread.sleep(200); // a 1 ms backoff would have retried many times by now
        assertThat(runs("web")).isEqualTo(1);

        q.enqueue("web");
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(2);
    }

    @Test
    void handlerExceptionCountsAsRetryWithItsMessage() throws Exception {
        WorkQueue<String> q = queue(1, key -> {
            throw new IllegalStateException("docker: connection refused");
        }, SLOW);
        q.enqueue("web");
        assertThat(q.awaitIdle(WAIT)).isTrue();

        assertThat(outcomes).hasSize(1);
        assertThat(outcomes.getFirst().result()).isEqualTo(new Retry("docker: connection refused"));
        assertThat(outcomes.getFirst().attempt()).isEqualTo(1);
        assertThat(q.failures("web")).isEqualTo(1);
        assertThat(q.nextRetry("web")).get()
                .satisfies(at -> assertThat(at).isAfter(Instant.now().plusSeconds(20)));
    }

    @Test
    void listenerExceptionsAreIgnored() throws Exception {
        WorkQueue<String> q = queue(1, key -> new Done(), SLOW, (k, o) -> {
            throw new IllegalStateException("listener broke");
        });
        q.enqueue("a");
        q.enqueue("b");
        assertThat(q.awaitIdle(WAIT)).isTrue();
        q.enqueue("c");
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void enqueueAfterRunsAfterTheDelay() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        long[] ranAt = new long[1];
        WorkQueue<String> q = queue(1, key -> {
            ranAt[0] = System.nanoTime();
            ran.countDown();
            return new Done();
        }, SLOW);
        long start = System.nanoTime();
        q.enqueueAfter("web", Duration.ofMillis(100));
        assertThat(q.nextRetry("web")).isPresent();
        assertThat(q.depth()).isZero();
        await(ran);

        assertThat(TimeUnit.NANOSECONDS.toMillis(ranAt[0] - start)).isGreaterThanOrEqualTo(100);
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(q.nextRetry("web")).isEmpty();
    }

    @Test
    void enqueueAfterCollapsesWithAnEarlierExplicitEnqueue() throws Exception {
        WorkQueue<String> q = queue(1, key -> new Done(), SLOW);
        q.enqueueAfter("web", Duration.ofMillis(250));
        q.enqueue("web");
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(1);
        assertThat(q.nextRetry("web")).as("the run consumed the schedule").isEmpty();

        Thread.sleep(400); // past the original delay: it must not fire a second run
        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(1);
    }

    @Test
    void enqueueAfterFiringWhileTheKeyWaitsCollapsesWithIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkQueue<String> q = queue(1, blockFirst("blocker", started, release), SLOW);
        q.enqueue("blocker");
        await(started);
        q.enqueueAfter("web", Duration.ofMillis(20));
        q.enqueue("web");
        Thread.sleep(100); // let the schedule fall due while "web" still waits behind the blocker
        assertThat(q.depth()).isEqualTo(1);
        release.countDown();

        assertThat(q.awaitIdle(WAIT)).isTrue();
        assertThat(runs("web")).isEqualTo(1);
    }

    @Test
    void closeDropsPendingWorkStopsWorkersAndIsIdempotent() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkQueue<String> q = queue(1, blockFirst("blocker", started, release), SLOW);
        q.enqueue("blocker");
        await(started);
        q.enqueue("pending");
        q.enqueueAfter("later", Duration.ofMillis(10));

        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            q.close();
            closed.countDown();
        });
        closer.start();
        assertThat(closed.await(200, TimeUnit.MILLISECONDS)).as("close waits for the running handler").isFalse();
        release.countDown();
        await(closed);

        assertThat(q.inFlight()).isEmpty();
        assertThat(q.depth()).isZero();
        q.enqueue("after-close");
        q.enqueueAfter("after-close", Duration.ZERO);
        q.close();
        assertThat(q.awaitIdle(Duration.ofSeconds(1))).isTrue();
        Thread.sleep(100);
        assertThat(runs.keySet()).containsExactly("blocker");
    }

    @Test
    void awaitIdleTimesOutWhileBusyAndIgnoresLaterSchedules() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkQueue<String> q = queue(1, blockFirst("web", started, release), SLOW);
        assertThat(q.awaitIdle(Duration.ZERO)).as("a fresh queue is idle").isTrue();
        q.enqueue("web");
        await(started);
        assertThat(q.awaitIdle(Duration.ofMillis(50))).isFalse();
        release.countDown();
        assertThat(q.awaitIdle(WAIT)).isTrue();

        q.enqueueAfter("web", Duration.ofMinutes(5));
        assertThat(q.awaitIdle(Duration.ofMillis(50))).as("a schedule in 5 minutes is not work now").isTrue();
    }

    // --- a back-off holds against events and resyncs ---

    /** Starts of each run of {@code key}, in nanoTime. */
    final List<Long> starts = new CopyOnWriteArrayList<>();

    Function<String, Result> alwaysFails() {
        return key -> {
            starts.add(System.nanoTime());
            return new Retry("cannot start");
        };
    }

    @Test
    void enqueuesDuringARetryBackoffDoNotRunTheKeyBeforeItExpires() throws Exception {
        WorkQueue<String> q = queue(2, alwaysFails(), new RetryBackoff(Duration.ofMillis(400), Duration.ofMillis(400), 1.0));
        q.enqueue("vm");
        waitFor(() -> runs("vm") == 1);
        long spamUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(250);
        while (System.nanoTime() < spamUntil) {
            q.enqueue("vm"); // libvirt's define/undefine events, a resync
        }
        assertThat(runs("vm")).as("held in back-off").isEqualTo(1);
        assertThat(q.depth()).as("not waiting as ready either").isZero();

        waitFor(() -> runs("vm") == 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(starts.get(1) - starts.get(0))).isGreaterThanOrEqualTo(400);
        assertThat(outcomes).extracting(Outcome::attempt).startsWith(1, 2);
    }

    @Test
    void aShorterEnqueueAfterCannotCutARetryBackoffShort() throws Exception {
        WorkQueue<String> q = queue(1, alwaysFails(), new RetryBackoff(Duration.ofMillis(500), Duration.ofMillis(500), 1.0));
        q.enqueue("vm");
        waitFor(() -> runs("vm") == 1);
        q.enqueueAfter("vm", Duration.ofMillis(10));
        q.enqueueAfter("vm", Duration.ZERO);
        Thread.sleep(200);
        assertThat(runs("vm")).isEqualTo(1);
        assertThat(q.nextRetry("vm")).get().satisfies(at -> assertThat(at).isAfter(Instant.now()));

        waitFor(() -> runs("vm") == 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(starts.get(1) - starts.get(0))).isGreaterThanOrEqualTo(500);
    }

    @Test
    void anEnqueueDuringARunThatFailsWaitsForTheBackoffInsteadOfRerunningAtOnce() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<Long> ends = new CopyOnWriteArrayList<>();
        WorkQueue<String> q = queue(1, key -> {
            starts.add(System.nanoTime());
            if (calls.getAndIncrement() == 0) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ends.add(System.nanoTime());
            return new Retry("cannot start");
        }, new RetryBackoff(Duration.ofMillis(300), Duration.ofMillis(300), 1.0));
        q.enqueue("vm");
        await(started);
        q.enqueue("vm"); // the failing attempt's own event: marks the key dirty
        release.countDown();

        waitFor(() -> runs("vm") == 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(starts.get(1) - ends.get(0)))
                .as("the dirty re-run waited for the back-off").isGreaterThanOrEqualTo(300);
    }

    @Test
    void aFailureWhoseOwnEventsEnqueueTheKeyIsNotLoopedByThem() throws Exception {
        AtomicReference<WorkQueue<String>> self = new AtomicReference<>();
        // Each failed attempt causes events (define, undefine) that enqueue the name again, from
        // inside the run and right after it: before the hold this ran thousands of times a second.
        self.set(queue(2, key -> {
            starts.add(System.nanoTime());
            self.get().enqueue(key);
            Thread.ofVirtual().start(() -> self.get().enqueue(key));
            return new Retry("cannot start");
        }, new RetryBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0)));
        self.get().enqueue("vm");
        Thread.sleep(1000);
        // 0, 20, 60, 140, 300, 500, 700, 900 ms: at most 8 in the first second (9 with scheduling slack).
        assertThat(runs("vm")).isBetween(5, 9);
    }

    @Test
    void enqueuesStillShortenTheWaitOfAKeyThatDidNotFail() throws Exception {
        WorkQueue<String> q = queue(1, key -> new RequeueAfter(Duration.ofMinutes(5), "waiting for capacity"), SLOW);
        q.enqueue("web");
        waitFor(() -> runs("web") == 1);
        q.enqueue("web"); // a deletion freed capacity
        waitFor(() -> runs("web") == 2);
    }

    @Test
    void enqueueChangedForgetsTheBackoffAndTheFailureStreak() throws Exception {
        WorkQueue<String> q = queue(1, alwaysFails(), SLOW);
        q.enqueue("vm");
        waitFor(() -> runs("vm") == 1);
        q.enqueue("vm");
        Thread.sleep(100);
        assertThat(runs("vm")).as("a plain enqueue waits for the 30 s back-off").isEqualTo(1);

        q.enqueueChanged("vm"); // a new manifest for the name
        waitFor(() -> runs("vm") == 2);
        assertThat(outcomes).extracting(Outcome::attempt).containsExactly(1, 1);
        assertThat(q.failures("vm")).isEqualTo(1);
    }

    @Test
    void enqueueChangedDuringAFailingRunRunsAgainRightAfterIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        WorkQueue<String> q = queue(1, key -> {
            if (calls.getAndIncrement() == 0) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new Retry("cannot start");
        }, SLOW);
        q.enqueue("vm");
        await(started);
        q.enqueueChanged("vm");
        release.countDown();

        waitFor(() -> runs("vm") == 2);
        assertThat(outcomes).extracting(Outcome::attempt).containsExactly(1, 1);
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out").isNegative();
            Thread.sleep(5);
        }
    }
}
