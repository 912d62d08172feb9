package io.berth.runtime.libvirt;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseListener;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Follows libvirt's domain lifecycle events (defined, started, suspended, stopped, shut down,
 * crashed, undefined…) and passes on the Berth names of this agent's domains. Runs on one thread
 * until closed; when libvirtd goes away (the connection's close callback, keepalive, or the
 * connection found dead) it reconnects with a capped backoff, subscribes again and calls
 * {@code onReconnect}, because events were missed meanwhile.
 *
 * <p>Events come on a connection of its own, opened after {@link LibvirtEventLoop} was registered
 * (libvirt delivers nothing on connections opened before), with keepalive so that a libvirtd that
 * hangs is noticed too. The event loop's thread only queues the domain's name — a local read — so
 * it never waits on libvirtd; this watch's thread then asks libvirt whose domain it is (one read
 * of its XML, with the runtime's timeout) and passes ours on. A domain found to be someone else's
 * is remembered, so its undefine (after which nothing can be read) is not passed either; a domain
 * that cannot be read is passed, which is harmless: the reconciler re-reads everything.
 */
final class DomainEvents implements Runnable, AutoCloseable {

    static final int KEEPALIVE_INTERVAL_S = 5;
    static final int KEEPALIVE_COUNT = 3;
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long CHECK_ALIVE_MS = 5_000;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** What the event loop's thread and {@link #close()} tell the watch's thread. */
    private sealed interface Signal {
    }

    private record Changed(String name, DomainEventType type) implements Signal {
    }

    private record Lost(Connect connection) implements Signal {
    }

    private record Stop() implements Signal {
    }

    private final String uri;
    private final LibvirtCalls calls;
    private final Function<String, DomainObserver.Owner> owner;
    private final Consumer<String> onName;
    private final Runnable onReconnect;
    private final BlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    /** berth-* domains of someone else (watch thread only). */
    private final Set<String> foreign = new HashSet<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    // Fields, not lambdas made per connection: libvirt-java keeps the native callbacks reachable
    // through the connection, but removing a listener needs the very object that was added.
    private final LifecycleListener lifecycle = this::lifecycle;
    private final ConnectionCloseListener closed = (connection, reason) -> signals.offer(new Lost(connection));
    private volatile boolean stopped;

    DomainEvents(String uri, LibvirtCalls calls, Function<String, DomainObserver.Owner> owner,
                 Consumer<String> onName, Runnable onReconnect) {
        this.uri = uri;
        this.calls = calls;
        this.owner = owner;
        this.onName = onName;
        this.onReconnect = onReconnect;
    }

    @Override
    public void run() {
        try {
            long backoff = FIRST_BACKOFF_MS;
            boolean missed = false;
            while (!stopped) {
                Connect c = null;
                try {
                    c = subscribe();
                    if (missed) {
                        onReconnect.run();
                    }
                    missed = false;
                    backoff = FIRST_BACKOFF_MS;
                    follow(c);
                } catch (RuntimeException e) {
                    // libvirtd unreachable (or our caller's onReconnect failed): try again after a pause
                } finally {
                    unsubscribe(c);
                }
                if (stopped) {
                    break;
                }
                missed = true;
                pause(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        } finally {
            finished.countDown();
        }
    }

    /** A new connection with our listeners on it. */
    private Connect subscribe() {
        try {
            LibvirtEventLoop.start(); // before the connection: libvirt ties a connection to the loop at open
        } catch (LibvirtException | LinkageError e) {
            throw calls.translate("libvirt", "start the event loop", e);
        }
        Connect c = calls.call("libvirt", "connect for events", () -> new Connect(uri));
        try {
            calls.run("libvirt", "subscribe to domain events", () -> {
                c.registerCloseListener(closed);
                c.setKeepAlive(KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
                c.addLifecycleListener(lifecycle);
                return null;
            });
        } catch (RuntimeException e) {
            unsubscribe(c);
            throw e;
        }
        return c;
    }

    /** Passes names on until the connection is lost or the watch is closed. */
    private void follow(Connect c) {
        while (!stopped) {
            Signal s;
            try {
                s = signals.poll(CHECK_ALIVE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                stopped = true;
                return;
            }
            switch (s) {
                case null -> {
                    // Belt and braces for a close callback that never came.
                    if (!LibvirtConnection.alive(c)) {
                        return;
                    }
                }
                case Stop stop -> {
                    return;
                }
                case Lost lost -> {
                    if (lost.connection() == c) {
                        return;
                    }
                }
                case Changed changed -> pass(changed);
            }
        }
    }

    /** Waits before reconnecting, passing on what the old connection still delivered. */
    private void pause(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long left;
        while (!stopped && (left = deadline - System.nanoTime()) > 0) {
            try {
                if (signals.poll(left, TimeUnit.NANOSECONDS) instanceof Changed changed) {
                    pass(changed);
                }
            } catch (InterruptedException e) {
                stopped = true;
            }
        }
    }

    private void pass(Changed event) {
        String name = event.name();
        if (event.type() == DomainEventType.UNDEFINED) {
            if (!foreign.remove(name)) {
                deliver(name);
            }
            return;
        }
        DomainObserver.Owner who;
        try {
            who = owner.apply(name);
        } catch (RuntimeException e) {
            who = DomainObserver.Owner.GONE; // cannot tell: pass it on
        }
        if (who == DomainObserver.Owner.FOREIGN) {
            foreign.add(name);
            return;
        }
        foreign.remove(name);
        deliver(name);
    }

    private void deliver(String name) {
        if (stopped) {
            return;
        }
        try {
            onName.accept(name);
        } catch (RuntimeException e) {
            // the caller's problem; the watch goes on
        }
    }

    /** On the event loop's thread: queue the name (a local read) and nothing else. */
    private int lifecycle(Domain domain, DomainEvent event) {
        try {
            String name = domain.getName();
            if (!stopped && name != null && name.startsWith(DomainObserver.PREFIX)) {
                signals.offer(new Changed(name.substring(DomainObserver.PREFIX.length()), event.getType()));
            }
        } catch (LibvirtException | RuntimeException e) {
            // a domain without a name: nothing to pass on
        } finally {
            // libvirt-java took a reference for this callback; dropping it now (not at garbage
            // collection) lets virConnectClose really close the connection when we unsubscribe.
            try {
                domain.free();
            } catch (LibvirtException ignored) {
                // already gone
            }
        }
        return 0;
    }

    /** Removes our listeners and closes the connection; quiet, it may already be dead. */
    private void unsubscribe(Connect c) {
        if (c == null) {
            return;
        }
        // On a dead connection, deregistering would only fail remotely; closing it drops the callbacks.
        boolean alive = LibvirtConnection.alive(c);
        try {
            calls.run("libvirt", "unsubscribe from domain events", () -> {
                if (alive) {
                    quietly(() -> c.removeLifecycleListener(lifecycle));
                    quietly(c::unregisterCloseListener);
                }
                quietly(c::close);
                return null;
            });
        } catch (RuntimeException e) {
            // libvirtd did not answer: the connection goes with it
        }
    }

    private interface LibvirtAction {
        void run() throws LibvirtException;
    }

    private static void quietly(LibvirtAction a) {
        try {
            a.run();
        } catch (LibvirtException ignored) {
            // best effort while tearing down
        }
    }

    /** Stops watching: no name is passed once this returns (waits up to 5 s for the watch's thread). */
    @Override
    public void close() {
        stopped = true;
        signals.offer(new Stop());
        try {
            finished.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
