package io.berth.runtime.libvirt;

import io.berth.runtime.RuntimeFailure;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The runtime's shared libvirt connection for calls: opened on first use, and opened again once
 * libvirtd has gone away. A libvirt connection never recovers by itself — after libvirtd restarts,
 * every call on the old one fails ("Cannot write data: Broken pipe") — so a long-running daemon
 * that kept it would never manage a VM again. Thread-safe; {@link #get()} blocks while connecting (bounded by
 * {@link LibvirtCalls#TIMEOUT}).
 *
 * <p>A dead connection is dropped, not closed: other threads may still be failing on it, and
 * closing a connection under a running call frees it beneath them. libvirt-java closes it when it
 * is collected.
 */
final class LibvirtConnection implements AutoCloseable {

    private final String uri;
    private final LibvirtCalls calls;
    private Connect current; // guarded by this
    private boolean underLoop; // current was opened with the event loop running; guarded by this

    LibvirtConnection(String uri, LibvirtCalls calls) {
        this.uri = uri;
        this.calls = calls;
    }

    /**
     * A live connection: the current one, or a new one if there is none or it went away. Once
     * {@link LibvirtEventLoop} runs (the daemon watches events), a connection opened before it is
     * replaced too: only connections opened under the loop are watched by it, so only they learn
     * at once that libvirtd went away, instead of from the next call failing on them.
     */
    synchronized Connect get() {
        if (current != null && alive(current) && (underLoop || !LibvirtEventLoop.running())) {
            return current;
        }
        current = null;
        boolean loop = LibvirtEventLoop.running();
        try {
            current = calls.call("libvirt", "connect", () -> new Connect(uri));
        } catch (RuntimeFailure e) {
            throw calls.unavailable(e.getCause() == null ? e : e.getCause());
        }
        underLoop = loop;
        return current;
    }

    /**
     * Local, no call to libvirtd: the client marks a connection closed once it has seen its socket
     * end — at once under the event loop, else when a call fails on it (that call is reported as
     * the runtime being unavailable, and the next one reconnects).
     */
    static boolean alive(Connect c) {
        try {
            return c.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        Connect c = current;
        current = null;
        if (c != null) {
            try {
                c.close();
            } catch (LibvirtException ignored) {
                // closing: nothing to recover
            }
        }
    }
}
