package io.berth.cli;

import com.sun.net.httpserver.HttpServer;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The launcher's class-data training run (JDK 25's AOT cache, older JDKs' dynamic CDS archive):
 * the client paths users wait on, in one JVM, so the cache holds their classes. First
 * {@code plan --local} of DIR (parser, planner, docker-java; it works with Docker down too, the
 * classes load before the connection fails), then {@code plan}, {@code apply} and {@code get}
 * through the daemon's client against a throwaway HTTP server on 127.0.0.1 that answers with that
 * plan (the HTTP client, JSON decoding of the answers, the printers). Prints nothing; never fails
 * the launcher (exit 0 whatever happens). Not a user command.
 */
public final class Training {

    private Training() {
    }

    public static void main(String[] args) {
        Main.prepare();
        try {
            train(Path.of(args[0]));
        } catch (Exception | LinkageError e) {
            // a partial training is still a cache; the launcher never depends on it
        }
        System.exit(0);
    }

    private static void train(Path manifests) throws IOException {
        StringWriter planJson = new StringWriter();
        run(new PrintWriter(planJson), "plan", "--local", "-f", manifests.toString(), "-o", "json");
        String plan = planJson.toString().isBlank() ? "{\"changes\":false,\"summary\":{},\"actions\":[]}" : planJson.toString();
        Map<String, String> answers = Map.of(
                "/api/v1/plan", plan,
                "/api/v1/apply", "{\"plan\":" + plan + ",\"result\":[]}",
                "/api/v1/workloads", "[]");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String body = answers.get(exchange.getRequestURI().getPath());
            byte[] bytes = (body == null ? "{\"error\":\"not trained\"}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        Path token = Files.createTempFile("berth-training", ".token");
        try {
            Files.writeString(token, "training");
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
            for (String verb : new String[] {"plan", "apply"}) {
                run(nowhere, verb, "-f", manifests.toString(), "--server", url, "--token-file", token.toString());
            }
            run(nowhere, "get", "--server", url, "--token-file", token.toString());
        } finally {
            server.stop(0);
            Files.deleteIfExists(token);
        }
    }

    private static void run(PrintWriter out, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(out);
        cl.setErr(new PrintWriter(Writer.nullWriter()));
        cl.execute(args);
        out.flush();
    }
}
