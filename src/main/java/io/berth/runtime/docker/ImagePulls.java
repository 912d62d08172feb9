package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.ResponseItem;
import io.berth.images.ImageProgress;
import io.berth.runtime.RuntimeFailure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Image pulls for the Docker runtime: one pull per image at a time however many workloads need
 * it, at most {@link #PULL_TIMEOUT}, the engine's stream summed into progress
 * ({@link PullProgress}) for the runtime set's image watchers. Thread-safe.
 */
final class ImagePulls {

    static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);

    private final Supplier<DockerClient> docker;
    private final DockerErrors errors;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private volatile Consumer<ImageProgress> progress = p -> { };

    ImagePulls(Supplier<DockerClient> docker, DockerErrors errors) {
        this.docker = docker;
        this.errors = errors;
    }

    void reportTo(Consumer<ImageProgress> watcher) {
        this.progress = watcher;
    }

    void pull(String workload, String image) {
        synchronized (locks.computeIfAbsent(image, k -> new Object())) {
            PullProgress progress = new PullProgress(workload, image, this.progress);
            progress.started();
            try {
                boolean done = errors.call(workload, "pull image " + image, () -> {
                    try {
                        return docker.get().pullImageCmd(image).exec(new PullImageResultCallback() {
                            @Override
                            public void onNext(PullResponseItem item) {
                                super.onNext(item);
                                ResponseItem.ProgressDetail d = item.getProgressDetail();
                                progress.item(item.getId(), item.getStatus(),
                                        d == null ? null : d.getCurrent(), d == null ? null : d.getTotal());
                            }
                        }).awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RuntimeFailure(workload, workload + ": interrupted while pulling " + image);
                    }
                });
                if (!done) {
                    throw new RuntimeFailure(workload, workload + ": pulling " + image + " took longer than " + PULL_TIMEOUT);
                }
                progress.done();
            } catch (RuntimeFailure e) {
                RuntimeFailure failure = new RuntimeFailure(workload, workload + ": image " + image
                        + " could not be pulled (" + e.getMessage().replace(workload + ": pull image " + image + ": ", "")
                        + "); with no registry reachable, build or load it locally", e);
                progress.failed(failure.getMessage());
                throw failure;
            }
        }
    }
}
