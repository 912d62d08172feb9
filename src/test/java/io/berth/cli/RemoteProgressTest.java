package io.berth.cli;

import io.berth.backup.BackupProgress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class RemoteProgressTest {

    @Test
    void theDaemonsProgressEventsReadBackAsProgress() {
        BackupProgress p = RemoteProgress.parse("db", "verifying 512.0 MiB of 2048.0 MiB (25%)");
        assertThat(p).isEqualTo(new BackupProgress("db", "verifying", 512L << 20, 2048L << 20));
        assertThat(p.percent()).isEqualTo(25);
        assertThat(RemoteProgress.parse("db", "flattening its disk from a snapshot (qemu-img convert)"))
                .isEqualTo(new BackupProgress("db", "flattening", 0, 0));
        assertThat(RemoteProgress.parse("db", "backed up to /b/db.berth.tar")).isNull();
        assertThat(RemoteProgress.parse("db", null)).isNull();
    }

    @Test
    void readBackTheyPrintALinePerQuarterOffATerminal() {
        StringWriter s = new StringWriter();
        ArchiveProgress progress = new ArchiveProgress(new PrintWriter(s), false);
        for (String m : new String[]{"verifying 0.0 MiB of 40.0 MiB (0%)", "verifying 10.0 MiB of 40.0 MiB (25%)",
                "extracting 0.0 MiB of 8.0 MiB (0%)"}) {
            progress.accept(RemoteProgress.parse("db", m));
        }
        assertThat(s.toString()).isEqualTo("""
                db: verifying 0.0 MiB of 40.0 MiB (0%)
                db: verifying 10.0 MiB of 40.0 MiB (25%)
                db: extracting 0.0 MiB of 8.0 MiB (0%)
                """);
    }
}
