package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.berth.runtime.OwnershipLabels;

import java.io.Closeable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Follows Docker's event stream for this agent's containers and passes on the Berth names of
 * containers that changed. Runs until closed, reopening the stream after dockerd restarts.
 */
final class ContainerEvents implements Runnable, AutoCloseable {

    private static final long MAX_BACKOFF_MS = 5_000;

    private final Supplier<DockerClient> docker;
    private final String agent;
    private final Consumer<String> onName;
    private final Runnable onReconnect;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Closeable stream;

    ContainerEvents(Supplier<DockerClient> docker, String agent, Consumer<String> onName, Runnable onReconnect) {
        this.docker = docker;
        this.agent = agent;
        this.onName = onName;
        this.onReconnect = onReconnect;
    }

    @Override
    public void run() {
        long backoff = 200;
        boolean first = true;
        while (!closed.get()) {
            if (!first) {
                onReconnect.run();
            }
            first = false;
            try {
                ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Event e) {
                        Map<String, String> attrs = e.getActor() == null ? null : e.getActor().getAttributes();
                        String name = attrs == null ? null : attrs.get(OwnershipLabels.NAME);
                        if (name != null && e.getType() == EventType.CONTAINER) {
                            onName.accept(name);
                        }
                    }
                };
                stream = docker.get().eventsCmd()
                        .withLabelFilter(Map.of(OwnershipLabels.MANAGED, "true", OwnershipLabels.AGENT, agent))
                        .withEventTypeFilter(EventType.CONTAINER)
                        .exec(callback);
                backoff = 200;
                callback.awaitCompletion(); // until dockerd goes away or we close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // dockerd unreachable: wait and try again
            }
            sleep(backoff);
            backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed.set(true);
        }
    }

    @Override
    public void close() {
        closed.set(true);
        Closeable s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (java.io.IOException ignored) {
                // closing a stream that is going away anyway
            }
        }
    }
}
