package io.berth.runtime.libvirt;

import io.berth.runtime.RuntimeFailure;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The runtime's shared libvirt connection for calls, opened on first use. Thread-safe;
 * {@link #get()} blocks while connecting (bounded by {@link LibvirtCalls#TIMEOUT}).
 */
final class LibvirtConnection implements AutoCloseable {

    private final String uri;
    private final LibvirtCalls calls;
    private Connect current; // guarded by this

    LibvirtConnection(String uri, LibvirtCalls calls) {
        this.uri = uri;
        this.calls = calls;
    }

    /** The connection, opened on first use. */
    synchronized Connect get() {
        if (current != null) {
            return current;
        }
        try {
            current = calls.call("libvirt", "connect", () -> new Connect(uri));
        } catch (RuntimeFailure e) {
            throw calls.unavailable(e.getCause() == null ? e : e.getCause());
        }
        return current;
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
