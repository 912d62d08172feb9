package io.berth.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.dto.ErrorView;
import io.berth.api.dto.Json;
import io.berth.runtime.RuntimeUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Talks to {@code agent serve}'s API for the client commands. Its failures are the contract's:
 * a daemon that cannot be reached (or a runtime it cannot reach) is exit 3, bad input is the
 * daemon's error lines and exit 1, a refused token says where the token comes from.
 */
final class Client {

    private static final ObjectMapper JSON = Json.configure(new ObjectMapper());

    private final URI server;
    private final String token;
    private final HttpClient http;

    /** @param tls trust for an https server, or null for the JDK's default trust store */
    Client(URI server, String token, javax.net.ssl.SSLContext tls) {
        this.server = server;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    /** GET, the answer read as {@code type} (a record of {@link io.berth.api.dto}, or a list of them). */
    <T> T get(String path, TypeReference<T> type) {
        return json(send(request(path).GET().build(), Duration.ofSeconds(60)), type);
    }

    /** POST a body, the answer read as {@code type}; {@code timeout} bounds the daemon's work too. */
    <T> T post(String path, byte[] body, String contentType, Duration timeout, TypeReference<T> type) {
        return json(send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), timeout), type);
    }

    <T> T delete(String path, Duration timeout, TypeReference<T> type) {
        return json(send(request(path).DELETE().build(), timeout), type);
    }

    /** GET whose body is copied to {@code out} as it arrives (logs, event streams), until it ends. */
    void stream(String path, OutputStream out) {
        HttpResponse<InputStream> r = exchange(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() / 100 != 2) {
                fail(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            throw new RuntimeUnavailableException("the connection to the Berth daemon at " + server + " broke: " + e.getMessage(), e);
        }
    }

    /** GET a stream of lines (server-sent events), each passed on as it arrives, until it ends. */
    void lines(String path, java.util.function.Consumer<String> line) {
        HttpResponse<java.util.stream.Stream<String>> r = exchange(request(path).GET().build(), HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() / 100 != 2) {
            fail(r.statusCode(), String.join("\n", r.body().toList()));
        }
        r.body().forEach(line);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private String send(HttpRequest request, Duration timeout) {
        HttpRequest timed = HttpRequest.newBuilder(request, (k, v) -> true).timeout(timeout).build();
        HttpResponse<String> r = exchange(timed, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            fail(r.statusCode(), r.body());
        }
        return r.body();
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new RuntimeUnavailableException("cannot reach the Berth daemon at " + server + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "): start it with `agent serve`, point --server (or BERTH_SERVER) at it, or use --local to"
                    + " talk to Docker and libvirt directly", e);
        } catch (javax.net.ssl.SSLException e) {
            throw new RuntimeUnavailableException("cannot talk securely to the Berth daemon at " + server + ": "
                    + e.getMessage() + " (a private CA or self-signed certificate: pass it with --ca-file or BERTH_CA_FILE)", e);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new UserError("the Berth daemon at " + server + " did not answer within the time allowed; it may still"
                    + " be working on it (see `agent get` and `agent events`)");
        } catch (IOException e) {
            throw new RuntimeUnavailableException("cannot talk to the Berth daemon at " + server + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        }
    }

    /** The daemon's error answer as the contract's exit code and its lines. */
    private void fail(int status, String body) {
        String message = "the daemon answered HTTP " + status;
        List<String> lines = List.of();
        try {
            ErrorView e = JSON.readValue(body, ErrorView.class);
            if (e.error() != null) {
                message = e.error();
            }
            if (e.errors() != null) {
                lines = e.errors().stream().map(String::valueOf).toList();
            }
        } catch (IOException | RuntimeException e) {
            if (body != null && !body.isBlank()) {
                message += ": " + body.strip().lines().findFirst().orElse("");
            }
        }
        switch (status) {
            case 401 -> throw new UserError("the Berth daemon at " + server + " refused the API token (HTTP 401): set"
                    + " BERTH_TOKEN or --token-file to the daemon's STATE/token (default /var/lib/berth/token)");
            case 503 -> throw new RuntimeUnavailableException(message, null);
            default -> throw new UserError(message, lines);
        }
    }

    /** One JSON value read as {@code type} (an event of a server-sent stream, say). */
    /** A request body as JSON. */
    static byte[] bytes(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write a request", e);
        }
    }

    static <T> T json(String body, TypeReference<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UserError("the daemon's answer is not JSON: " + e.getMessage());
        }
    }
}
