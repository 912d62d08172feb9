package io.berth.cli;

import io.berth.api.dto.EventView;
import io.berth.backup.BackupProgress;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup's or restore's progress through the daemon: the daemon records it as
 * {@code BackupProgress}/{@code RestoreProgress} events at each quarter of a phase; this follows
 * the event stream on a daemon thread while the request runs and hands those of the workload to
 * the same {@link ArchiveProgress} local mode uses. The stream first repeats the recent events:
 * those no later than the last one the daemon had before the request are skipped. Best effort: a stream
 * that breaks only means no progress is shown. Thread-safe.
 */
final class RemoteProgress implements AutoCloseable {

    private static final Pattern AMOUNT = Pattern.compile("(\\w+) ([0-9.]+) MiB of ([0-9.]+) MiB \\((\\d+)%\\)");
    private static final double MIB = 1048576.0;

    private final String type;
    private final String endType;
    private final Predicate<String> names;
    private final Consumer<BackupProgress> progress;
    private final EventView skipTo;
    private boolean closed;
    private boolean ended;

    private RemoteProgress(String type, String endType, Predicate<String> names, Consumer<BackupProgress> progress,
                           EventView skipTo) {
        this.type = type;
        this.endType = endType;
        this.names = names;
        this.progress = progress;
        this.skipTo = skipTo;
    }

    /**
     * Starts following events {@code type} of a name {@code names} accepts; {@code endType} is the
     * operation's own last event (the daemon records it before it answers). Close it when the
     * request has answered, after {@link #awaitEnd} if it succeeded.
     */
    static RemoteProgress follow(Operations ops, String type, String endType, Predicate<String> names,
                                 Consumer<BackupProgress> progress) {
        EventView last;
        try {
            List<EventView> recent = ops.events();
            last = recent.isEmpty() ? null : recent.getLast();
        } catch (RuntimeException e) {
            return new RemoteProgress(type, endType, names, progress, null).closeNow();
        }
        RemoteProgress p = new RemoteProgress(type, endType, names, progress, last);
        Thread t = new Thread(() -> {
            try {
                ops.watchEvents(p::event);
            } catch (RuntimeException ignored) {
                // closed, or the stream broke: the request's own answer still comes
            }
        }, "progress-events");
        t.setDaemon(true);
        t.start();
        return p;
    }

    private RemoteProgress closeNow() {
        closed = true;
        return this;
    }

    private synchronized void event(EventView e) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (skipTo != null && e.at() != null && skipTo.at() != null
                && !e.at().truncatedTo(ChronoUnit.MILLIS).isAfter(skipTo.at().truncatedTo(ChronoUnit.MILLIS))) {
            return; // repeated from before the request
        }
        if (e.name() == null || !names.test(e.name())) {
            return;
        }
        if (endType.equals(e.type())) {
            ended = true;
            notifyAll();
            return;
        }
        if (!type.equals(e.type())) {
            return;
        }
        BackupProgress p = parse(e.name(), e.message());
        if (p != null) {
            progress.accept(p);
        }
    }

    /** The progress an event's message says, or null if it says none. */
    static BackupProgress parse(String name, String message) {
        if (message == null) {
            return null;
        }
        if (message.startsWith("flattening")) {
            return new BackupProgress(name, "flattening", 0, 0);
        }
        Matcher m = AMOUNT.matcher(message);
        if (!m.matches()) {
            return null;
        }
        return new BackupProgress(name, m.group(1), (long) (Double.parseDouble(m.group(2)) * MIB),
                (long) (Double.parseDouble(m.group(3)) * MIB));
    }

    /**
     * Waits (a second at most) until the stream has caught up with the operation's end, so the
     * progress of a quick one is not cut off by its answer.
     */
    synchronized void awaitEnd() {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (!ended && !closed && System.nanoTime() < deadline) {
            try {
                wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops handing on progress (the thread ends at the stream's next event, or with the command). */
    @Override
    public synchronized void close() {
        closed = true;
    }
}
