package io.berth.api;

import io.berth.util.StopSignal;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * The stop signal of a streaming response ({@code logs?follow=true}, {@code events?watch=true}):
 * fired when the client goes away, so the worker thread blocked in the stream, and the Docker
 * connection it holds, are freed at once rather than at the next write that fails — which for a
 * silent container or a quiet event log may be never.
 *
 * <p>Two hooks, because neither is enough alone: the response's close handler (per request, also
 * for an HTTP/2 stream) is a single slot that Quarkus' response output stream takes over once the
 * response has been written to (measured: an event watch was not stopped through it), so the HTTP
 * connection's close future, which takes any number of listeners, is the one that always fires
 * for HTTP/1.1. It is Vert.x's implementation class; where it is not there, only the first hook
 * remains. A listener stays on a kept-alive connection until it closes: one small object per
 * streaming request.
 */
final class ClientGone {

    private ClientGone() {
    }

    static StopSignal signal(ServerRequestContext request) {
        StopSignal stop = new StopSignal();
        request.serverResponse().addCloseHandler(stop::stop);
        if (request instanceof ResteasyReactiveRequestContext context
                && context.serverRequest().unwrap(HttpServerRequest.class) instanceof HttpServerRequest http
                && http.connection() instanceof ConnectionBase connection) {
            connection.closeFuture().onComplete(closed -> stop.stop());
        }
        return stop;
    }
}
