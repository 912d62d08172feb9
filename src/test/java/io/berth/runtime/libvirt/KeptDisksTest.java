package io.berth.runtime.libvirt;

import io.berth.runtime.KeptData;
import io.berth.runtime.RuntimeFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kept disks on a real filesystem with a fake clock: keep, list, restore, and the retention sweep. */
class KeptDisksTest {

    static final Instant T0 = Instant.parse("2026-12-01T22:15:30Z");
    static final Duration RETENTION = Duration.ofHours(72);

    @TempDir
    Path state;

    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final FakeClock clock = new FakeClock();

    private KeptDisks kept() {
        return new KeptDisks(new VmPaths(state), clock);
    }

    private void vmFiles(String name, String disk) throws Exception {
        VmPaths p = new VmPaths(state);
        Files.createDirectories(p.dir(name));
        Files.writeString(p.disk(name), disk);
        Files.writeString(p.console(name), "boot log of " + name);
    }

    @Test
    void keepingMovesTheDiskAndConsoleAsideWithTightPermissions() throws Exception {
        vmFiles("db", "DATA-1");
        KeptData.Kept k = kept().keep("db");
        assertThat(k.directory()).isEqualTo(state.resolve("deleted/db/20261201T221530Z"));
        assertThat(k.stamp()).isEqualTo("20261201T221530Z");
        assertThat(Files.readString(k.directory().resolve("disk.qcow2"))).isEqualTo("DATA-1");
        assertThat(k.files()).extracting(f -> f.getFileName().toString()).containsExactly("disk.qcow2", "console.log");
        assertThat(Files.exists(new VmPaths(state).disk("db"))).isFalse();
        for (Path d : List.of(state.resolve("deleted"), state.resolve("deleted/db"), k.directory())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).as(d.toString()).isEqualTo("rwx--x--x");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(k.directory().resolve("disk.qcow2"))))
                .isEqualTo("rw-------");
        assertThat(kept().keep("db")).as("nothing left to keep").isNull();
    }

    @Test
    void twoKeepsInOneSecondNeverCollideAndTheNewestComesFirst() throws Exception {
        vmFiles("db", "OLD");
        kept().keep("db");
        vmFiles("db", "NEW");
        KeptData.Kept second = kept().keep("db");
        assertThat(second.stamp()).isEqualTo("20261201T221530Z-2");
        clock.now = T0.plusSeconds(5);
        vmFiles("other", "X");
        kept().keep("other");
        assertThat(kept().list("db")).extracting(KeptData.Kept::stamp)
                .containsExactly("20261201T221530Z-2", "20261201T221530Z");
        assertThat(kept().list(null)).extracting(KeptData.Kept::name).containsExactly("other", "db", "db");
    }

    @Test
    void restoreBringsTheNewestBackAndNeverReplacesADisk() throws Exception {
        vmFiles("db", "OLD");
        kept().keep("db");
        clock.now = T0.plusSeconds(60);
        vmFiles("db", "NEW");
        kept().keep("db");
        vmFiles("db", "IN-PLACE");
        assertThatThrownBy(() -> kept().restore("db", null)).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("a disk is already in place").hasMessageContaining("never replaces a disk");
        assertThat(Files.readString(new VmPaths(state).disk("db"))).isEqualTo("IN-PLACE");
        assertThat(kept().list("db")).hasSize(2);

        Files.delete(new VmPaths(state).disk("db"));
        Files.delete(new VmPaths(state).console("db"));
        KeptData.Kept r = kept().restore("db", null);
        assertThat(r.stamp()).isEqualTo("20261201T221630Z");
        assertThat(Files.readString(new VmPaths(state).disk("db"))).isEqualTo("NEW");
        assertThat(Files.exists(r.directory())).as("an emptied set goes").isFalse();
        assertThat(kept().list("db")).extracting(KeptData.Kept::stamp).containsExactly("20261201T221530Z");
    }

    @Test
    void restoreOfANamedSetAndOfNothingSayWhatIsKept() throws Exception {
        assertThatThrownBy(() -> kept().restore("db", null)).hasMessageContaining("no kept disk to restore");
        vmFiles("db", "OLD");
        kept().keep("db");
        assertThatThrownBy(() -> kept().restore("db", "20000101T000000Z"))
                .hasMessageContaining("no kept disk 20000101T000000Z").hasMessageContaining("kept: 20261201T221530Z");
        assertThat(Files.readString(kept().restore("db", "20261201T221530Z").files().getFirst())).isEqualTo("OLD");
    }

    @Test
    void theSweepRemovesOnlyWhatOutlivedTheRetention() throws Exception {
        vmFiles("old", "A");
        kept().keep("old");
        clock.now = T0.plus(Duration.ofHours(48));
        vmFiles("young", "B");
        kept().keep("young");
        Files.createDirectories(state.resolve("deleted/old/not-a-stamp"));
        Files.writeString(state.resolve("deleted/old/not-a-stamp/disk.qcow2"), "hand-made");

        assertThat(kept().sweep(T0.plus(RETENTION).minusSeconds(1), RETENTION)).as("not yet").isEmpty();
        assertThat(kept().list(null)).hasSize(2);

        List<KeptData.Kept> removed = kept().sweep(T0.plus(RETENTION), RETENTION);
        assertThat(removed).extracting(KeptData.Kept::name).containsExactly("old");
        assertThat(Files.exists(state.resolve("deleted/old/20261201T221530Z"))).isFalse();
        assertThat(kept().list(null)).extracting(KeptData.Kept::name).containsExactly("young");
        assertThat(Files.readString(state.resolve("deleted/old/not-a-stamp/disk.qcow2")))
                .as("what Berth did not name is never swept").isEqualTo("hand-made");

        assertThat(kept().sweep(T0.plus(Duration.ofHours(48)).plus(RETENTION), RETENTION))
                .extracting(KeptData.Kept::name).containsExactly("young");
        assertThat(Files.exists(state.resolve("deleted/young"))).as("an emptied name directory goes").isFalse();
    }

    @Test
    void stampsReadBack() {
        assertThat(KeptDisks.keptAt("20261201T221530Z")).isEqualTo(T0);
        assertThat(KeptDisks.keptAt("20261201T221530Z-3")).isEqualTo(T0);
        assertThat(KeptDisks.keptAt("lost+found")).isNull();
    }
}
