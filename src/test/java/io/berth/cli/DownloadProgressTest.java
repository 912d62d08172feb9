package io.berth.cli;

import io.berth.images.ImageProgress;
import io.berth.images.ImageProgress.Phase;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The terminal's download progress: a bar redrawn in place on a TTY, a line per tenth elsewhere. */
class DownloadProgressTest {

    static final String URL = "https://mirror.example.org/base.qcow2";
    static final long TOTAL = 100L << 20;

    private static String run(boolean terminal) {
        StringWriter out = new StringWriter();
        DownloadProgress p = new DownloadProgress(new PrintWriter(out), terminal);
        p.accept(new ImageProgress("db", URL, Phase.started, 0, TOTAL, null));
        for (int percent = 1; percent <= 100; percent++) {
            p.accept(new ImageProgress("db", URL, Phase.progress, TOTAL * percent / 100, TOTAL, null));
        }
        p.accept(new ImageProgress("db", URL, Phase.done, TOTAL, TOTAL, null));
        return out.toString();
    }

    @Test
    void withoutATerminalItPrintsAPlainLineAtEachTenth() {
        String out = run(false);
        assertThat(out).doesNotContain("\r", "\u001b");
        assertThat(out.lines()).hasSize(12).first().isEqualTo("db: downloading " + URL + " (100.0 MiB)");
        assertThat(out.lines()).contains("db: 10.0 MiB of 100.0 MiB (10%)", "db: 100.0 MiB of 100.0 MiB (100%)")
                .doesNotContain("db: 11.0 MiB of 100.0 MiB (11%)");
        assertThat(out.lines().toList().getLast()).isEqualTo("db: downloaded " + URL + " (100.0 MiB), sha256 verified");
    }

    @Test
    void onATerminalItRedrawsOneBarInPlace() {
        String out = run(true);
        assertThat(out).contains("\rdb: [###############---------------] 50.0 MiB of 100.0 MiB (50%)\u001b[K",
                "\rdb: [##############################] 100.0 MiB of 100.0 MiB (100%)");
        assertThat(out.split("\n")).as("the start and the end are lines; the bar is not").hasSize(2);
    }
}
