package io.berth.cli;

import io.berth.backup.BackupProgress;

import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Progress of {@code agent backup} and {@code agent restore --from} in local mode, on stderr in
 * the style of {@link DownloadProgress}: on a terminal a bar per workload redrawn in place,
 * otherwise a plain line at each quarter. Not thread-safe (one workload at a time).
 */
final class ArchiveProgress implements Consumer<BackupProgress> {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private String last = "";
    private int lastQuarter = -1;

    ArchiveProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void accept(BackupProgress p) {
        String key = p.workload() + " " + p.phase();
        if (!key.equals(last)) {
            if (terminal && lastQuarter >= 0) {
                err.print("\n");
            }
            last = key;
            lastQuarter = -1;
            if (p.phase().equals("flattening")) {
                line(p.workload() + ": flattening its disk from a snapshot (qemu-img convert)");
                return;
            }
        }
        if (p.phase().equals("done")) {
            return;
        }
        String amount = mib(p.bytes()) + " of " + mib(p.total()) + " (" + p.percent() + "%)";
        if (terminal) {
            int full = p.percent() * WIDTH / 100;
            err.print("\r" + p.workload() + ": " + p.phase() + " [" + "#".repeat(full) + "-".repeat(WIDTH - full) + "] "
                    + amount + "\u001b[K");
            err.flush();
            lastQuarter = p.percent() / 25;
        } else if (p.percent() / 25 != lastQuarter) {
            lastQuarter = p.percent() / 25;
            line(p.workload() + ": " + p.phase() + " " + amount);
        }
    }

    /** Ends a bar still on the line (before the command's own output). */
    void finish() {
        if (terminal && lastQuarter >= 0) {
            err.print("\n");
            err.flush();
        }
        last = "";
        lastQuarter = -1;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private void line(String text) {
        err.print(text + "\n");
        err.flush();
    }
}
