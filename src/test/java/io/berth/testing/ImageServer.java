package io.berth.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 (the JDK's) serving images for download tests, in the ways
 * servers really behave: {@link Mode#RANGES} honours {@code Range: bytes=N-} with 206 and
 * Content-Range, {@link Mode#NO_RANGES} always sends all, {@link Mode#TRUNCATED} declares the whole
 * length and closes after half, {@link Mode#DROPS_ONCE} does that on its first request only and
 * honours ranges afterwards. Counts requests and records each one's Range header, per path.
 */
public final class ImageServer implements AutoCloseable {

    public enum Mode { RANGES, NO_RANGES, TRUNCATED, DROPS_ONCE }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, List<String>> ranges = new ConcurrentHashMap<>();

    public ImageServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    /** Serves {@code bytes} at {@code path}; returns its URL. */
    public String serve(String path, byte[] bytes, Mode mode) {
        counts.put(path, new AtomicInteger());
        ranges.put(path, new CopyOnWriteArrayList<>());
        server.createContext(path, exchange -> {
            try (exchange) {
                int n = counts.get(path).incrementAndGet();
                String range = exchange.getRequestHeaders().getFirst("Range");
                ranges.get(path).add(range == null ? "none" : range);
                answer(exchange, bytes, mode, n, range);
            } catch (IOException e) {
                // the truncating modes close early on purpose
            }
        });
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void answer(HttpExchange exchange, byte[] bytes, Mode mode, int n, String range) throws IOException {
        Matcher m = range == null ? null : RANGE.matcher(range);
        boolean ranged = m != null && m.matches() && (mode == Mode.RANGES || mode == Mode.DROPS_ONCE && n > 1);
        int from = ranged ? Integer.parseInt(m.group(1)) : 0;
        if (ranged && from >= bytes.length) {
            exchange.sendResponseHeaders(416, -1);
            return;
        }
        if (ranged) {
            exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        exchange.sendResponseHeaders(ranged ? 206 : 200, bytes.length - from);
        OutputStream out = exchange.getResponseBody();
        boolean cut = mode == Mode.TRUNCATED || mode == Mode.DROPS_ONCE && n == 1;
        byte[] body = Arrays.copyOfRange(bytes, from, cut ? bytes.length / 2 : bytes.length);
        out.write(body);
        out.flush();
        if (cut) {
            throw new IOException("cut on purpose"); // closes the connection without the rest
        }
    }

    public int requests(String path) {
        return counts.get(path).get();
    }

    /** The Range header of each request to {@code path} ("none" when it had none), in order. */
    public List<String> ranges(String path) {
        return List.copyOf(ranges.get(path));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
