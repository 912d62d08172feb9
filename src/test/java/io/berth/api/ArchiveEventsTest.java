package io.berth.api;

import io.berth.backup.BackupProgress;
import io.berth.reconcile.StatusBook;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiveEventsTest {

    static final long MIB = 1 << 20;

    @Test
    void aPhaseIsAnEventWhenItStartsAndAtEachQuarterNotAtEveryBufferNorAtTheEnd() {
        StatusBook book = new StatusBook();
        ArchiveEvents events = new ArchiveEvents(book, "RestoreProgress");
        for (long n = 0; n <= 400; n++) {
            events.accept(new BackupProgress("db", "verifying", n * MIB, 400 * MIB));
        }
        for (long n = 0; n <= 40; n++) {
            events.accept(new BackupProgress("db", "extracting", n * MIB, 40 * MIB));
        }
        events.accept(new BackupProgress("db", "done", 40 * MIB, 40 * MIB));
        List<String> messages = book.events().stream().map(e -> e.type() + " " + e.name() + ": " + e.message()).toList();
        assertThat(messages).containsExactly(
                "RestoreProgress db: verifying 0.0 MiB of 400.0 MiB (0%)",
                "RestoreProgress db: verifying 100.0 MiB of 400.0 MiB (25%)",
                "RestoreProgress db: verifying 200.0 MiB of 400.0 MiB (50%)",
                "RestoreProgress db: verifying 300.0 MiB of 400.0 MiB (75%)",
                "RestoreProgress db: extracting 0.0 MiB of 40.0 MiB (0%)",
                "RestoreProgress db: extracting 10.0 MiB of 40.0 MiB (25%)",
                "RestoreProgress db: extracting 20.0 MiB of 40.0 MiB (50%)",
                "RestoreProgress db: extracting 30.0 MiB of 40.0 MiB (75%)");
    }

    @Test
    void aBackupsFlatteningIsOneEventWithoutBytes() {
        StatusBook book = new StatusBook();
        ArchiveEvents events = new ArchiveEvents(book, "BackupProgress");
        events.accept(new BackupProgress("vm", "flattening", 0, 0));
        events.accept(new BackupProgress("vm", "copying", 0, 8 * MIB));
        assertThat(book.events()).extracting(StatusBook.Event::message)
                .containsExactly("flattening its disk from a snapshot (qemu-img convert)", "copying 0.0 MiB of 8.0 MiB (0%)");
    }
}
