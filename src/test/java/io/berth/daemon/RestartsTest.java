package io.berth.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RestartsTest {

    final Restarts restarts = new Restarts(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(10));
    final Instant t0 = Instant.parse("2026-11-21T00:00:00Z");

    @Test
    void theFirstRestartIsImmediateThenTheWaitDoublesUpToTheCap() {
        assertThat(restarts.nextAllowed("w", t0)).isEqualTo(t0);
        restarts.restarted("w", t0);
        assertThat(restarts.nextAllowed("w", t0)).isEqualTo(t0.plusSeconds(1));
        Instant t = t0;
        long[] waits = {1, 2, 4, 8, 10, 10};
        for (long wait : waits) {
            Instant next = restarts.nextAllowed("w", t);
            assertThat(Duration.between(t, next)).isEqualTo(Duration.ofSeconds(wait));
            restarts.restarted("w", next);
            t = next;
        }
        assertThat(restarts.total("w")).isEqualTo(1 + waits.length);
    }

    @Test
    void aWorkloadUpLongEnoughStartsOverWithAnImmediateRestart() {
        restarts.restarted("w", t0);
        restarts.restarted("w", t0.plusSeconds(1));
        Instant later = t0.plusSeconds(1).plus(Duration.ofMinutes(10));
        assertThat(restarts.nextAllowed("w", later)).isEqualTo(later);
        restarts.restarted("w", later);
        assertThat(restarts.total("w")).isEqualTo(3);
        assertThat(restarts.nextAllowed("w", later)).isEqualTo(later.plusSeconds(1));
    }

    @Test
    void forgettingAWorkloadClearsItsCount() {
        restarts.restarted("w", t0);
        restarts.forget("w");
        assertThat(restarts.total("w")).isZero();
        assertThat(restarts.nextAllowed("w", t0)).isEqualTo(t0);
    }
}
