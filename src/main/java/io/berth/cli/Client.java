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
import java.net.HttpURLConnection;
import java.net.URI;
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
    private static final int CONNECT_TIMEOUT_MS = 5000;

    static {
        // HttpURLConnection would send a POST (an apply) again, unasked, when a kept-alive
        // connection turns out closed: an apply must go out once.
        System.setProperty("sun.net.http.retryPost", "false");
    }

    private final URI server;
    private final String token;
    private final javax.net.ssl.SSLSocketFactory tls;

    /**
     * @param tls trust for an https server, or null for the JDK's default trust store. Requests go
     *            through {@link HttpURLConnection}: in the short-lived CLI it costs a fraction of
     *            {@code java.net.http.HttpClient}'s start (about 40 ms against 250 ms for a first
     *            request in a cold JVM), which was most of a no-op {@code apply}'s client time.
     */
    Client(URI server, String token, javax.net.ssl.SSLContext tls) {
        this.server = server;
        this.token = token;
        this.tls = tls == null ? null : tls.getSocketFactory();
    }

    /** GET, the answer read as {@code type} (a record of {@link io.berth.api.dto}, or a list of them). */
    <T> T get(String path, TypeReference<T> type) {
        return json(send("GET", path, null, null, Duration.ofSeconds(60)), type);
    }

    /** POST a body, the answer read as {@code type}; {@code timeout} bounds the daemon's work too. */
    <T> T post(String path, byte[] body, String contentType, Duration timeout, TypeReference<T> type) {
        return json(send("POST", path, body, contentType, timeout), type);
    }

    <T> T delete(String path, Duration timeout, TypeReference<T> type) {
        return json(send("DELETE", path, null, null, timeout), type);
    }

    /** GET whose body is copied to {@code out} as it arrives (logs, event streams), until it ends. */
    void stream(String path, OutputStream out) {
        HttpURLConnection c = open("GET", path, null, null, Duration.ZERO);
        try (InputStream in = body(c)) {
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
        HttpURLConnection c = open("GET", path, null, null, Duration.ZERO);
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(body(c), StandardCharsets.UTF_8))) {
            String l;
            while ((l = in.readLine()) != null) {
                line.accept(l);
            }
        } catch (IOException e) {
            throw new RuntimeUnavailableException("the connection to the Berth daemon at " + server + " broke: " + e.getMessage(), e);
        }
    }

    private String send(String method, String path, byte[] body, String contentType, Duration timeout) {
        HttpURLConnection c = open(method, path, body, contentType, timeout);
        try (InputStream in = body(c)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException e) {
            throw tooLong();
        } catch (IOException e) {
            throw new RuntimeUnavailableException("the connection to the Berth daemon at " + server + " broke: " + e.getMessage(), e);
        }
    }

    /** Connects and sends the request; {@code timeout} bounds each wait for the answer (zero: none). */
    private HttpURLConnection open(String method, String path, byte[] body, String contentType, Duration timeout) {
        try {
            HttpURLConnection c = (HttpURLConnection) server.resolve(path).toURL().openConnection();
            if (tls != null && c instanceof javax.net.ssl.HttpsURLConnection https) {
                https.setSSLSocketFactory(tls);
            }
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            c.setUseCaches(false);
            if (token != null) {
                c.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (body != null) {
                c.setRequestProperty("Content-Type", contentType);
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
            }
            try {
                c.connect();
            } catch (ConnectException | java.net.SocketTimeoutException | java.net.UnknownHostException e) {
                throw new RuntimeUnavailableException("cannot reach the Berth daemon at " + server + " ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "): start it with `agent serve`, point --server (or BERTH_SERVER) at it, or use --local to"
                        + " talk to Docker and libvirt directly", e);
            }
            if (body != null) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            return c;
        } catch (javax.net.ssl.SSLException e) {
            throw new RuntimeUnavailableException("cannot talk securely to the Berth daemon at " + server + ": "
                    + e.getMessage() + " (a private CA or self-signed certificate: pass it with --ca-file or BERTH_CA_FILE)", e);
        } catch (IOException e) {
            throw new RuntimeUnavailableException("cannot talk to the Berth daemon at " + server + ": " + e.getMessage(), e);
        }
    }

    /** The answer's body; an error status is the contract's failure, with the daemon's lines. */
    private InputStream body(HttpURLConnection c) {
        int status;
        try {
            status = c.getResponseCode();
        } catch (java.net.SocketTimeoutException e) {
            throw tooLong();
        } catch (javax.net.ssl.SSLException e) {
            throw new RuntimeUnavailableException("cannot talk securely to the Berth daemon at " + server + ": "
                    + e.getMessage() + " (a private CA or self-signed certificate: pass it with --ca-file or BERTH_CA_FILE)", e);
        } catch (IOException e) {
            throw new RuntimeUnavailableException("cannot talk to the Berth daemon at " + server + ": " + e.getMessage(), e);
        }
        if (status / 100 != 2) {
            String text = "";
            try (InputStream err = c.getErrorStream()) {
                if (err != null) {
                    text = new String(err.readAllBytes(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                // the status says enough
            }
            fail(status, text);
        }
        try {
            return c.getInputStream();
        } catch (IOException e) {
            throw new RuntimeUnavailableException("cannot talk to the Berth daemon at " + server + ": " + e.getMessage(), e);
        }
    }

    private UserError tooLong() {
        return new UserError("the Berth daemon at " + server + " did not answer within the time allowed; it may still"
                + " be working on it (see `agent get` and `agent events`)");
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
