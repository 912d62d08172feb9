package io.berth.source;

import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The watcher thread of a {@link ManifestDirectory}: when to reload. Filesystem events (through the
 * {@link DirectoryWatch}, when there is one) are debounced, so a burst causes one reload a quiet
 * moment after the last event; a rescan every interval is the safety net for events a WatchService
 * misses. Runs until {@code closed} says so or the thread is interrupted; a reload that throws is
 * logged and the loop goes on.
 */
final class WatchLoop {

    private static final Logger LOG = Logger.getLogger(ManifestDirectory.class.getName());

    private final Path dir;
    private final DirectoryWatch watcher; // null: rescans only
    private final long rescanNanos;
    private final long debounceNanos;
    private final BooleanSupplier closed;
    private final Runnable reload;

    WatchLoop(Path dir, DirectoryWatch watcher, long rescanNanos, long debounceNanos, BooleanSupplier closed,
              Runnable reload) {
        this.dir = dir;
        this.watcher = watcher;
        this.rescanNanos = rescanNanos;
        this.debounceNanos = debounceNanos;
        this.closed = closed;
        this.reload = reload;
    }

    void run() {
        long nextRescan = System.nanoTime() + rescanNanos;
        boolean pending = false;
        boolean rescanDeferred = false;
        long debounceAt = 0;
        while (!closed.getAsBoolean()) {
            try {
                long now = System.nanoTime();
                long deadline = pending && debounceAt - nextRescan < 0 ? debounceAt : nextRescan;
                if (deadline - now <= 0) {
                    nextRescan = now + rescanNanos;
                    if (pending && debounceAt - now > 0 && !rescanDeferred) {
                        // Files are being written right now (a rescan reading a file between its
                        // truncation and its write would see it empty): leave it to the debounced
                        // reload. Only once in a row, so a never-ending stream of events cannot
                        // starve the rescans.
                        rescanDeferred = true;
                        continue;
                    }
                    // Bookkeeping first: a reload that throws must not be retried in a tight loop.
                    pending = false;
                    rescanDeferred = false;
                    reload.run();
                    continue;
                }
                long wait = deadline - now;
                if (watcher == null) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                    continue;
                }
                WatchKey key = watcher.poll(wait, TimeUnit.NANOSECONDS);
                boolean relevant = false;
                while (key != null) {
                    relevant |= watcher.drain(key);
                    key = watcher.poll();
                }
                if (relevant) {
                    pending = true;
                    debounceAt = System.nanoTime() + debounceNanos;
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed.getAsBoolean()) {
                    return;
                }
                LOG.log(Level.WARNING, "manifest directory watcher for " + dir + " failed; continuing", e);
            }
        }
    }
}
