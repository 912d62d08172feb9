package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.berth.util.StopSignal;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * A container's log stream from Docker, copied to a reader. With {@code follow} the request stays
 * open until the container stops; closing the callback aborts it (docker-java aborts the HTTP
 * request, which closes its socket, and the docker-java stream thread ends). That happens when the
 * reader's write fails, when the stop signal fires — a silent container never gives a write the
 * chance to fail, so without it a reader that left would pin a thread and a Docker connection
 * until the container printed again — and always before returning.
 */
final class ContainerLogs {

    private ContainerLogs() {
    }

    /**
     * @param guarded runs the blocking call, translating Docker's failures (DockerErrors)
     */
    static void copy(DockerClient docker, String id, int tail, boolean follow, OutputStream out, StopSignal stop,
                     Consumer<Runnable> guarded) {
        var cmd = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(follow);
        if (tail >= 0) {
            cmd.withTail(tail);
        } else {
            cmd.withTailAll();
        }
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onStart(Closeable stream) {
                super.onStart(stream);
                if (stop.stopped()) {
                    closeQuietly(this); // stopped before Docker answered: there was no stream to close yet
                }
            }

            @Override
            public void onNext(Frame frame) {
                try {
                    out.write(frame.getPayload());
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the reader went away (a closed pipe)
                }
            }
        };
        stop.onStop(() -> closeQuietly(callback));
        try {
            guarded.accept(() -> {
                try {
                    cmd.exec(callback).awaitCompletion();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } finally {
            closeQuietly(callback);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // aborting a stream that is already gone
        }
    }
}
