package io.berth.api;

import io.berth.backup.BackupProgress;
import io.berth.reconcile.StatusBook;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * A backup's or restore's progress through the daemon as events and log lines, at coarse steps
 * like image downloads (so a 100 GB disk does not flood the event ring): {@code type}
 * ({@code BackupProgress} or {@code RestoreProgress}) when a phase starts and at each quarter of
 * it, e.g. {@code verifying 512.0 MiB of 2048.0 MiB (25%)}; the end is the operation's own event
 * ({@code BackupCreated}, {@code Restored}). One per request; not thread-safe (one operation).
 */
final class ArchiveEvents implements Consumer<BackupProgress> {

    private static final Logger LOG = Logger.getLogger(ArchiveEvents.class);

    private final StatusBook book;
    private final String type;
    private String phase = "";
    private int quarter = -1;

    ArchiveEvents(StatusBook book, String type) {
        this.book = book;
        this.type = type;
    }

    @Override
    public void accept(BackupProgress p) {
        if (p.phase().equals("done")) {
            return;
        }
        int q = p.percent() / 25;
        if (p.phase().equals(phase) && (q == quarter || q >= 4)) {
            return;
        }
        phase = p.phase();
        quarter = q;
        String message = p.phase().equals("flattening")
                ? "flattening its disk from a snapshot (qemu-img convert)"
                : p.phase() + " " + mib(p.bytes()) + " of " + mib(p.total()) + " (" + p.percent() + "%)";
        book.event(p.workload(), type, message);
        LOG.infof("%s: %s", p.workload(), message);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
