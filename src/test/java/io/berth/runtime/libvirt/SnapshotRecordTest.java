package io.berth.runtime.libvirt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The snapshot record and its intent journal: written whole at 0600 and read back equal; an intent
 * finished names the frozen layer and makes the new one active, rolled back leaves the record as it
 * was; after a kill, where the domain's disk points decides finish or roll back (every kill point of
 * a create and a restore), and anything else is left alone; names are validated; an unreadable
 * record is refused, never read as "no snapshots".
 */
class SnapshotRecordTest {

    static final String DISK = "/s/vms/a/disk.qcow2";
    static final String NEXT = "/s/vms/a/layers/L1.qcow2";

    @TempDir
    Path dir;

    static SnapshotRecord.Intent create() {
        return new SnapshotRecord.Intent("create", "nightly", DISK, NEXT, null, null, "2026-12-01T22:15:00Z", 0);
    }

    @Test
    void aRecordIsWrittenWholeAt0600AndReadBackEqual() throws Exception {
        Path file = dir.resolve("snapshots.json");
        SnapshotRecord r = SnapshotRecord.initial(Path.of(DISK)).withIntent(create());
        r.write(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SnapshotRecord.read(file)).contains(r);
        assertThat(SnapshotRecord.read(dir.resolve("none.json"))).isEmpty();
    }

    @Test
    void aFinishedCreateNamesTheFrozenLayerAndMakesTheNewOneActive() {
        SnapshotRecord done = SnapshotRecord.initial(Path.of(DISK)).withIntent(create()).finished();
        assertThat(done.intent()).isNull();
        assertThat(done.active()).isEqualTo(NEXT);
        assertThat(done.snapshots()).containsExactly(
                new SnapshotRecord.Entry("nightly", DISK, "2026-12-01T22:15:00Z", 0, "manual"));
        assertThat(done.without("nightly").snapshots()).isEmpty();
    }

    @Test
    void aFinishedRestoreKeepsTheDiskItHadAsAnAutomaticSnapshot() {
        SnapshotRecord.Intent restore = new SnapshotRecord.Intent("restore", "nightly", NEXT, "/s/vms/a/layers/L2.qcow2",
                DISK, "before-restore-20261202T0100Z", "2026-12-02T01:00:00Z", 7);
        SnapshotRecord before = new SnapshotRecord(1, NEXT, List.of(
                new SnapshotRecord.Entry("nightly", DISK, "2026-12-01T22:15:00Z", 5, "manual")), null);
        SnapshotRecord done = before.withIntent(restore).finished();
        assertThat(done.active()).isEqualTo("/s/vms/a/layers/L2.qcow2");
        assertThat(done.find("before-restore-20261202T0100Z")).hasValueSatisfying(e -> {
            assertThat(e.layer()).isEqualTo(NEXT);
            assertThat(e.madeBy()).isEqualTo("automatic");
        });
        assertThat(before.withIntent(restore).rolledBack()).isEqualTo(before);
    }

    @Test
    void afterAKillWhereTheDiskPointsDecidesFinishOrRollBack() {
        SnapshotRecord.Intent i = create();
        // Killed before libvirt or the redefinition acted: the old layer everywhere.
        assertThat(SnapshotRecord.settle(i, DISK, DISK)).isEqualTo(SnapshotRecord.Settle.ROLL_BACK);
        assertThat(SnapshotRecord.settle(i, null, DISK)).isEqualTo(SnapshotRecord.Settle.ROLL_BACK);
        // Killed after the live snapshot, before the persistent definition followed or the record was written.
        assertThat(SnapshotRecord.settle(i, NEXT, DISK)).isEqualTo(SnapshotRecord.Settle.FINISH);
        assertThat(SnapshotRecord.settle(i, NEXT, NEXT)).isEqualTo(SnapshotRecord.Settle.FINISH);
        // Stopped create or restore killed after the redefinition, before the record.
        assertThat(SnapshotRecord.settle(i, null, NEXT)).isEqualTo(SnapshotRecord.Settle.FINISH);
        // Someone else pointed the disk elsewhere: not Berth's to guess.
        assertThat(SnapshotRecord.settle(i, null, "/elsewhere.qcow2")).isEqualTo(SnapshotRecord.Settle.UNKNOWN);
        assertThat(SnapshotRecord.settle(i, "/elsewhere.qcow2", DISK)).isEqualTo(SnapshotRecord.Settle.UNKNOWN);
    }

    @Test
    void namesAreLikeMetadataNamesAndTheDefaultTimeIsOne() {
        assertThat(SnapshotRecord.checkName("20261201T2215Z")).isEqualTo("20261201T2215Z");
        assertThat(SnapshotRecord.checkName("before-upgrade")).isEqualTo("before-upgrade");
        for (String bad : new String[]{"", "-x", "x-", "a_b", "a/b", "../x", "x".repeat(64), "é"}) {
            assertThatThrownBy(() -> SnapshotRecord.checkName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not valid (valid: 1-63 letters, digits and '-'");
        }
        assertThatThrownBy(() -> SnapshotRecord.checkName(null)).hasMessageContaining("(none)");
    }

    @Test
    void aRecordBerthCannotReadIsRefusedNeverReadAsEmpty() throws Exception {
        Path file = dir.resolve("snapshots.json");
        Files.writeString(file, "{\"format\": 9, \"active\": \"/x\"}");
        assertThatThrownBy(() -> SnapshotRecord.read(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a snapshot record of format 1");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> SnapshotRecord.read(file)).hasMessageContaining(file + " cannot be read");
        VmPaths paths = new VmPaths(dir.getParent());
        assertThat(paths.disk("nothing-here")).isEqualTo(paths.baseDisk("nothing-here"));
    }
}
