package io.berth.api;

import io.berth.reconcile.StatusBook;
import io.berth.util.StopSignal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/events?watch=true}: the recent events, then each new one as it happens, as
 * server-sent events ({@code data: <json>}). A comment line every 15 s keeps proxies from timing
 * out. A client that left ends the stream within half a second: the closed connection fires the
 * stop signal ({@link ClientGone}), checked between waits (a failed write ends it too).
 * A watcher too slow to keep up loses events beyond 10 000 queued rather than holding the
 * daemon's memory.
 */
final class EventStream implements StreamingOutput {

    static final long HEARTBEAT_SECONDS = 15;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    static final long POLL_MS = 500;

    private final StatusBook book;
    private final StopSignal stop;

    private EventStream(StatusBook book, StopSignal stop) {
        this.book = book;
        this.stop = stop;
    }

    static EventStream of(StatusBook book, StopSignal stop) {
        return new EventStream(book, stop);
    }

    @Override
    public void write(OutputStream out) throws IOException {
        BlockingQueue<StatusBook.Event> queue = new LinkedBlockingQueue<>(10_000);
        try (AutoCloseable ignored = book.watch(queue::offer)) {
            for (StatusBook.Event e : book.events()) {
                send(out, e);
            }
            out.flush();
            long silentSince = System.nanoTime();
            while (!stop.stopped()) {
                StatusBook.Event e = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (e != null) {
                    send(out, e);
                } else if (System.nanoTime() - silentSince >= TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS)) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    continue;
                }
                out.flush();
                silentSince = System.nanoTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static void send(OutputStream out, StatusBook.Event e) throws IOException {
        out.write(("event: " + e.type() + "\ndata: " + JSON.writeValueAsString(e) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
