package io.berth.reconcile;

import io.berth.manifest.CronSchedule;
import io.berth.manifest.Kind;
import io.berth.runtime.Snapshots;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The schedule rule: when a scheduled snapshot is due, and which scheduled ones keep removes. */
class SnapshotSchedulesTest {

    static final CronSchedule HOURLY = CronSchedule.parse("@hourly");
    static final Instant STARTED = Instant.parse("2026-12-02T10:20:00Z");

    @Test
    void theFirstIsDueAtTheFirstDueTimeAfterTheDaemonStartedNotAtOnce() {
        assertThat(SnapshotSchedules.due(HOURLY, null, STARTED, Instant.parse("2026-12-02T10:59:59Z"))).isFalse();
        assertThat(SnapshotSchedules.due(HOURLY, null, STARTED, Instant.parse("2026-12-02T11:00:00Z"))).isTrue();
    }

    @Test
    void afterOneTheNextDueTimeCountsAndMissedTimesMakeOneNotMany() {
        Instant last = Instant.parse("2026-12-02T11:00:04Z");
        assertThat(SnapshotSchedules.due(HOURLY, last, STARTED, Instant.parse("2026-12-02T11:30:00Z"))).isFalse();
        assertThat(SnapshotSchedules.due(HOURLY, last, STARTED, Instant.parse("2026-12-02T12:00:05Z"))).isTrue();
        // The daemon was down from 11:01 to 15:10: one is due now; after it (15:10), none until 16:00.
        assertThat(SnapshotSchedules.due(HOURLY, last, STARTED, Instant.parse("2026-12-02T15:10:00Z"))).isTrue();
        assertThat(SnapshotSchedules.due(HOURLY, Instant.parse("2026-12-02T15:10:01Z"), STARTED,
                Instant.parse("2026-12-02T15:59:00Z"))).isFalse();
    }

    @Test
    void keepRemovesTheOldestScheduledOnesAndNeverManualOrAutomaticOnes() {
        List<Snapshots.Snapshot> all = List.of(
                snap("manual-old", "2026-12-01T00:00:00Z", Snapshots.MadeBy.manual),
                snap("s1", "2026-12-02T08:00:00Z", Snapshots.MadeBy.scheduled),
                snap("before-restore", "2026-12-02T08:30:00Z", Snapshots.MadeBy.automatic),
                snap("s3", "2026-12-02T10:00:00Z", Snapshots.MadeBy.scheduled),
                snap("s2", "2026-12-02T09:00:00Z", Snapshots.MadeBy.scheduled));
        assertThat(SnapshotSchedules.beyondKeep(all, 2)).extracting(Snapshots.Snapshot::name).containsExactly("s1");
        assertThat(SnapshotSchedules.beyondKeep(all, 1)).extracting(Snapshots.Snapshot::name).containsExactly("s1", "s2");
        assertThat(SnapshotSchedules.beyondKeep(all, 3)).isEmpty();
    }

    static Snapshots.Snapshot snap(String name, String created, Snapshots.MadeBy by) {
        return new Snapshots.Snapshot(name, "db", Kind.VirtualMachine, Instant.parse(created), 0, by, "/x/" + name);
    }
}
