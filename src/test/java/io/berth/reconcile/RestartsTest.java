package io.berth.reconcile;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RestartsTest {

    final Restarts restarts = new Restarts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(10));
    final Instant t0 = Instant.parse("2026-11-21T00:00:00Z");

    @Test
    void aCrashLoopWaitsTwiceAsLongEachTimeFromWhenTheStopWasSeenUpToTheCap() {
        assertThat(restarts.nextAllowed("w", t0)).isEqualTo(t0);
        restarts.restarted("w", t0);
        Instant t = t0;
        long[] waits = {1, 2, 4, 8, 10, 10};
        for (long wait : waits) {
            Instant crashed = t.plusMillis(500); // ran half a second
            Instant next = restarts.nextAllowed("w", crashed);
            assertThat(Duration.between(crashed, next)).isEqualTo(Duration.ofSeconds(wait));
            // asked again while it waits (a resync): the same answer, even past resetAfter
            assertThat(restarts.nextAllowed("w", crashed.plusSeconds(9))).isEqualTo(next);
            restarts.restarted("w", next);
            t = next;
        }
        assertThat(restarts.total("w")).isEqualTo(1 + waits.length);
    }

    @Test
    void aWorkloadThatRanLongEnoughIsRestartedAtOnceAndTheBackOffStartsOver() {
        restarts.restarted("w", t0);
        restarts.nextAllowed("w", t0.plusSeconds(1));
        restarts.restarted("w", t0.plusSeconds(2));
        Instant killedLater = t0.plusSeconds(2).plusSeconds(11);
        assertThat(restarts.nextAllowed("w", killedLater)).isEqualTo(killedLater);
        restarts.restarted("w", killedLater);
        assertThat(restarts.total("w")).isEqualTo(3);
        Instant quick = killedLater.plusSeconds(1);
        assertThat(restarts.nextAllowed("w", quick)).isEqualTo(quick.plusSeconds(1));
    }

    @Test
    void forgettingAWorkloadClearsItsCount() {
        restarts.restarted("w", t0);
        restarts.forget("w");
        assertThat(restarts.total("w")).isZero();
        assertThat(restarts.nextAllowed("w", t0)).isEqualTo(t0);
    }
}
