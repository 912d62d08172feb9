package io.berth.api;

import io.berth.util.StopSignal;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * The stop signal of a streaming response ({@code logs?follow=true}, {@code events?watch=true}):
 * fired by the HTTP connection's close handler when the client goes away, so the worker thread
 * blocked in the stream, and the Docker connection it holds, are freed at once rather than at the
 * next write that fails — which for a silent container or a quiet event log may be never.
 */
final class ClientGone {

    private ClientGone() {
    }

    static StopSignal signal(ServerRequestContext request) {
        StopSignal stop = new StopSignal();
        request.serverResponse().addCloseHandler(stop::stop);
        return stop;
    }
}
