package io.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Unix socket that forwards every connection to another one (libvirtd's), and can go away and
 * come back: to a client, {@link #cut()} looks exactly like the daemon stopping (its connections
 * end, new ones are refused) and {@link #resume()} like it starting again; {@link #freeze()} like
 * it hanging (connections stay open, nothing gets through) until {@link #thaw()}. Lets a test see
 * a client survive a daemon restart without restarting the daemon other tests and people share.
 */
public final class SocketProxy implements AutoCloseable {

    private final Path path;
    private final UnixDomainSocketAddress target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocketChannel server;
    private volatile boolean frozen;

    public SocketProxy(Path path, Path target) {
        this.path = path;
        this.target = UnixDomainSocketAddress.of(target);
        resume();
    }

    public Path path() {
        return path;
    }

    /** Accepts connections again (a no-op while it does). */
    public synchronized void resume() {
        if (server != null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(path));
            server = s;
            Thread t = new Thread(() -> accept(s), "socket-proxy-accept");
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends every forwarded connection and refuses new ones until {@link #resume()}. */
    public synchronized void cut() {
        ServerSocketChannel s = server;
        server = null;
        quietly(s);
        for (SocketChannel c : open) {
            quietly(c);
        }
        open.clear();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds every byte in either direction (delayed, not lost) until {@link #thaw()}. */
    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        frozen = false;
    }

    private void accept(ServerSocketChannel s) {
        while (s.isOpen()) {
            try {
                SocketChannel client = s.accept();
                SocketChannel upstream = SocketChannel.open(target);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return; // cut
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    while (frozen && from.isOpen()) {
                        Thread.sleep(20);
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException | InterruptedException e) {
                // either side went away
            }
            quietly(from);
            quietly(to);
        }, "socket-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void quietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }
}
