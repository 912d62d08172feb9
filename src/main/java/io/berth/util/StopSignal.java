package io.berth.util;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot "stop now" for a long blocking call that nobody else can interrupt safely — a log
 * follow or an event stream whose HTTP client went away: the party that learns of it (the HTTP
 * layer's close handler) calls {@link #stop}; the blocked call registered what frees its resources
 * ({@link #onStop}: close a Docker stream) or waits on {@link #await} between polls. Stopping is
 * idempotent, and an action registered after the stop runs at once. Thread-safe.
 */
public final class StopSignal {

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Runnable> actions = new ArrayList<>();

    /** Stops: runs every registered action once (each on the calling thread; their failures are ignored). */
    public void stop() {
        List<Runnable> run;
        synchronized (actions) {
            if (stopped.getCount() == 0) {
                return;
            }
            stopped.countDown();
            run = List.copyOf(actions);
            actions.clear();
        }
        run.forEach(StopSignal::quietly);
    }

    public boolean stopped() {
        return stopped.getCount() == 0;
    }

    /** Runs {@code action} on stop, or now if stopped already. */
    public void onStop(Runnable action) {
        synchronized (actions) {
            if (stopped.getCount() != 0) {
                actions.add(action);
                return;
            }
        }
        quietly(action);
    }

    /** Waits up to {@code d} for the stop; true when stopped. */
    public boolean await(Duration d) throws InterruptedException {
        return stopped.await(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void quietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException ignored) {
            // freeing a resource that is already gone
        }
    }
}
