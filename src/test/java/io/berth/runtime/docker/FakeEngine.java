package io.berth.runtime.docker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Docker Engine that answers from fixture files (src/test/resources/docker-api/vX.Y/) on
 * loopback TCP, for the API matrix: no engine newer than Debian's 20.10 can run here. It behaves
 * as Docker does where Berth depends on it: {@code /version} answers unversioned; a versioned
 * path outside [MinAPIVersion, ApiVersion] gets Docker's 400 ("client version 1.41 is too old.
 * Minimum supported API version is 1.44, ..."); unknown containers are 404; the event stream
 * stays open. Every request line and body is recorded. Thread-safe; for tests only.
 */
final class FakeEngine implements AutoCloseable {

    private static final Pattern VERSIONED = Pattern.compile("^/v(\\d+\\.\\d+)(/.*)$");

    record Request(String method, String path, String query, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile String fixtures;
    /** What /version says instead of the fixture's ApiVersion and MinAPIVersion, or null. */
    private final String[] says;

    FakeEngine(String fixtures) {
        this(fixtures, null, null);
    }

    /** An engine answering from {@code fixtures} whose /version says it speaks {@code api}, accepting {@code min} and up. */
    FakeEngine(String fixtures, String api, String min) {
        this.fixtures = fixtures;
        this.says = api == null ? null : new String[] {api, min};
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-engine");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** DOCKER_HOST for this engine. */
    String host() {
        return "tcp://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers from another version's fixtures from now on (an engine upgraded under Berth). */
    void upgrade(String fixtures) {
        this.fixtures = fixtures;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private String json(String name) {
        try (InputStream in = FakeEngine.class.getResourceAsStream("/docker-api/" + fixtures + "/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + fixtures + "/" + name);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (says != null && name.equals("version.json")) {
                text = text.replaceAll("\"ApiVersion\"\\s*:\\s*\"[^\"]*\"", "\"ApiVersion\": \"" + says[0] + "\"")
                        .replaceAll("\"MinAPIVersion\"\\s*:\\s*\"[^\"]*\"", "\"MinAPIVersion\": \"" + says[1] + "\"");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    private void handle(HttpExchange x) throws IOException {
        String raw = x.getRequestURI().getRawPath();
        String query = x.getRequestURI().getRawQuery();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(x.getRequestMethod(), raw, query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8), body));
        String version = json("version.json");
        Matcher m = VERSIONED.matcher(raw);
        String path = m.matches() ? m.group(2) : raw;
        if (path.equals("/version")) {
            send(x, 200, version);
            return;
        }
        if (m.matches()) {
            String asked = m.group(1);
            String min = field(version, "MinAPIVersion");
            String max = field(version, "ApiVersion");
            if (ApiVersions.compare(asked, min) < 0) {
                send(x, 400, "{\"message\":\"client version " + asked + " is too old. Minimum supported API version is "
                        + min + ", please upgrade your client to a newer version\"}");
                return;
            }
            if (ApiVersions.compare(asked, max) > 0) {
                send(x, 400, "{\"message\":\"client version " + asked + " is too new. Maximum supported API version is " + max + "\"}");
                return;
            }
        }
        String method = x.getRequestMethod();
        String inspectWeb = json("inspect-web.json");
        String inspectJob = json("inspect-job.json");
        if (method.equals("GET") && path.equals("/info")) {
            send(x, 200, json("info.json"));
        } else if (method.equals("GET") && path.equals("/containers/json")) {
            send(x, 200, json("containers.json"));
        } else if (method.equals("GET") && path.equals("/events")) {
            stream(x, json("events.jsonl"));
        } else if (method.equals("GET") && path.startsWith("/images/")) {
            send(x, 200, "{\"Id\":\"sha256:d127f1ec13ba91d7c61d7e2fb2d5de50f7cf862819214d737dfda52f3ddf310f\"}");
        } else if (method.equals("POST") && path.equals("/containers/create")) {
            send(x, 201, "{\"Id\":\"" + "e".repeat(64) + "\",\"Warnings\":[]}");
        } else if (path.startsWith("/containers/")) {
            String ref = path.substring("/containers/".length()).split("/")[0];
            String c = matches(inspectWeb, ref) ? inspectWeb : matches(inspectJob, ref) ? inspectJob : null;
            if (c == null) {
                send(x, 404, "{\"message\":\"No such container: " + ref + "\"}");
            } else if (method.equals("GET") && path.endsWith("/json")) {
                send(x, 200, c);
            } else if (method.equals("POST") && path.endsWith("/update")) {
                send(x, 200, "{\"Warnings\":[]}");
            } else {
                send(x, 204, null); // start, stop, delete
            }
        } else {
            send(x, 404, "{\"message\":\"page not found\"}");
        }
    }

    private boolean matches(String inspect, String ref) {
        String id = field(inspect, "Id");
        String name = field(inspect, "Name");
        return ref.equals(id) || ("/" + ref).equals(name) || (ref.length() >= 12 && id != null && id.startsWith(ref));
    }

    private void send(HttpExchange x, int status, String body) throws IOException {
        if (body == null) {
            x.sendResponseHeaders(status, -1);
            x.close();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.getResponseHeaders().set("Api-Version", field(json("version.json"), "ApiVersion"));
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The recorded events, then the stream stays open as Docker's does, until the engine closes. */
    private void stream(HttpExchange x, String lines) throws IOException {
        // API 1.52 names the stream newline-delimited JSON; older engines say application/json
        boolean ndjson = ApiVersions.compare(field(json("version.json"), "ApiVersion"), "1.52") >= 0;
        x.getResponseHeaders().set("Content-Type", ndjson ? "application/x-ndjson" : "application/json");
        x.sendResponseHeaders(200, 0);
        OutputStream out = x.getResponseBody();
        for (String line : lines.split("\n")) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        x.close();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
