package io.berth.reconcile;

import io.berth.runtime.Snapshots;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Snapshot gauges: counts by maker, their size, the overdue time of a schedule; series end with the data. */
class SnapshotMetricsTest {

    @Test
    void gaugesFollowTheSnapshotsAndEndWithThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SnapshotMetrics metrics = new SnapshotMetrics(registry);
        Snapshots.Snapshot a = SnapshotSchedulesTest.snap("a", "2026-12-02T08:00:00Z", Snapshots.MadeBy.manual);
        Snapshots.Snapshot b = new Snapshots.Snapshot("b", "db", io.berth.manifest.Kind.VirtualMachine,
                java.time.Instant.parse("2026-12-02T09:00:00Z"), 4096, Snapshots.MadeBy.scheduled, "/x/b");
        metrics.update(List.of(new SnapshotMetrics.Seen("db", "VirtualMachine", List.of(a, b), 0.0)));
        assertThat(registry.get("berth.workload.snapshots").tags("name", "db", "made_by", "scheduled").gauge().value()).isEqualTo(1);
        assertThat(registry.get("berth.workload.snapshots").tags("name", "db", "made_by", "manual").gauge().value()).isEqualTo(1);
        assertThat(registry.find("berth.workload.snapshots").tags("made_by", "automatic").gauge()).isNull();
        assertThat(registry.get("berth.workload.snapshots.size").tags("name", "db").gauge().value()).isEqualTo(4096);
        assertThat(registry.get("berth.workload.snapshot.overdue").tags("name", "db").gauge().value()).isZero();

        metrics.update(List.of(new SnapshotMetrics.Seen("db", "VirtualMachine", List.of(b), 75.0)));
        assertThat(registry.find("berth.workload.snapshots").tags("made_by", "manual").gauge()).as("ended").isNull();
        assertThat(registry.get("berth.workload.snapshot.overdue").tags("name", "db").gauge().value()).isEqualTo(75);

        metrics.update(List.of());
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void overdueIsHowLongPastTheDueTimeTheNextScheduledSnapshotIs() {
        var hourly = io.berth.manifest.CronSchedule.parse("@hourly");
        java.time.Instant last = java.time.Instant.parse("2026-12-02T10:00:02Z");
        assertThat(SnapshotSchedules.overdue(hourly, last, SnapshotSchedulesTest.STARTED,
                java.time.Instant.parse("2026-12-02T10:59:00Z"))).isZero();
        assertThat(SnapshotSchedules.overdue(hourly, last, SnapshotSchedulesTest.STARTED,
                java.time.Instant.parse("2026-12-02T11:20:30Z"))).isEqualTo(1230.0);
    }
}
