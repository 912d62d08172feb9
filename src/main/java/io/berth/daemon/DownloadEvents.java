package io.berth.daemon;

import io.berth.images.ImageProgress;
import io.berth.source.SourceEvents;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Base image downloads and container image pulls as the daemon's events and log lines, at coarse
 * steps so a 20 GB image does not flood the event ring: {@code ImageDownloading} when it starts and at each quarter (each
 * 256 MiB when the server gave no size), {@code ImageDownloaded} when it is verified and in place,
 * {@code ImageDownloadFailed} with the reason; a pull's are {@code ImagePulling},
 * {@code ImagePulled} and {@code ImagePullFailed} at the same steps. Thread-safe.
 */
final class DownloadEvents implements Consumer<ImageProgress> {

    private static final Logger LOG = Logger.getLogger(DownloadEvents.class);
    private static final long UNKNOWN_STEP = 256L << 20;

    private final SourceEvents events;
    private final Map<String, Long> lastStep = new ConcurrentHashMap<>();

    DownloadEvents(SourceEvents events) {
        this.events = events;
    }

    @Override
    public void accept(ImageProgress p) {
        String key = p.workload() + " " + p.url();
        switch (p.phase()) {
            case started -> {
                lastStep.put(key, step(p));
                if (p.pull()) {
                    say(p, "ImagePulling", "pulling image " + p.url());
                } else {
                    say(p, "ImageDownloading", "downloading " + p.url() + " (" + p.size() + ")"
                            + (p.bytes() > 0 ? ", resuming at " + p.received() : ""));
                }
            }
            case progress -> {
                long step = step(p);
                Long last = lastStep.put(key, step);
                if (last != null && step > last && p.percent() != 100) {
                    say(p, p.pull() ? "ImagePulling" : "ImageDownloading", p.url() + ": " + p.amount());
                }
            }
            case done -> {
                lastStep.remove(key);
                say(p, p.pull() ? "ImagePulled" : "ImageDownloaded", p.url() + ": "
                        + (p.pull() ? p.received() + " downloaded" : p.received() + ", sha256 verified"));
            }
            case failed -> {
                lastStep.remove(key);
                events.event(p.workload(), p.pull() ? "ImagePullFailed" : "ImageDownloadFailed", p.message());
                LOG.warn(p.message());
            }
        }
    }

    private static long step(ImageProgress p) {
        return p.total() > 0 ? p.percent() / 25 : p.bytes() / UNKNOWN_STEP;
    }

    private void say(ImageProgress p, String type, String message) {
        events.event(p.workload(), type, message);
        LOG.infof("%s: %s", p.workload(), message);
    }
}
