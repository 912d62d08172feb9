package io.berth.runtime.docker;

import io.berth.images.ImageProgress;
import io.berth.images.ImageProgress.Phase;
import io.berth.images.ImageProgress.Source;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One image pull's stream (the engine's JSON messages, one per layer step) summed into
 * {@link ImageProgress} steps: bytes downloaded over all layers against the sum of the layer sizes
 * the engine has told so far ({@code -1} before it told any). A layer the engine reports complete
 * or already present counts in full. Only downloads count, not extraction, so the bar reaches
 * 100 % when the data is here. Called on docker-java's stream thread; not shared between pulls.
 */
final class PullProgress {

    private record Layer(long current, long total) {
    }

    private final String workload;
    private final String image;
    private final Consumer<ImageProgress> out;
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private long reported;

    PullProgress(String workload, String image, Consumer<ImageProgress> out) {
        this.workload = workload;
        this.image = image;
        this.out = out;
    }

    void started() {
        emit(Phase.started, 0, -1, null);
    }

    /** One message of the stream: its layer id, status and progressDetail (null or 0 when absent). */
    void item(String id, String status, Long current, Long total) {
        if (id == null || status == null) {
            return;
        }
        Layer was = layers.getOrDefault(id, new Layer(0, 0));
        Layer now = switch (status) {
            case "Downloading" -> new Layer(current == null ? was.current : current,
                    total != null && total > 0 ? total : was.total);
            case "Download complete", "Pull complete", "Already exists" ->
                    new Layer(Math.max(was.current, was.total), was.total);
            case "Pulling fs layer", "Waiting" -> was;
            default -> null; // extraction, digests, the tag's own lines: not a layer's download
        };
        if (now == null) {
            return;
        }
        layers.put(id, now);
        long bytes = bytes();
        if (bytes != reported) {
            reported = bytes;
            emit(Phase.progress, bytes, total(), null);
        }
    }

    void done() {
        emit(Phase.done, bytes(), total(), null);
    }

    void failed(String message) {
        emit(Phase.failed, bytes(), total(), message);
    }

    long bytes() {
        return layers.values().stream().mapToLong(Layer::current).sum();
    }

    /** The layers' sizes summed, once at least one is known; -1 before. */
    long total() {
        long sum = layers.values().stream().mapToLong(Layer::total).sum();
        return sum > 0 ? Math.max(sum, bytes()) : -1;
    }

    private void emit(Phase phase, long bytes, long total, String message) {
        try {
            out.accept(new ImageProgress(workload, image, phase, bytes, total, message, Source.pull));
        } catch (RuntimeException e) {
            // A broken watcher (a closed terminal) must not break the pull.
        }
    }
}
