package io.berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.testing.DaemonProcess;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /q/openapi} of a real daemon: served without the token (while {@code /api} still needs
 * it), the build-time document byte for byte, valid OpenAPI 3.1 by Swagger's parser with every
 * {@code $ref} resolved, every component schema valid JSON Schema 2020-12 (python3-jsonschema's
 * meta-schema check), and every endpoint of the API documented with its responses: the typed
 * answer, and the {@code ErrorView} of 401 on every token-guarded call, 400/409/503 on plan and
 * apply, 404 on every call that names something.
 */
class OpenApiIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path BUILT = Path.of("target/openapi/openapi.json");

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        daemon = DaemonProcess.start(manifests, state, "e2e-openapi", Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void theDocumentNeedsNoTokenAndIsTheOneBuilt() throws Exception {
        HttpResponse<String> json = get("/q/openapi?format=json", "application/json");
        assertThat(json.statusCode()).isEqualTo(200);
        // The stored copy also names the configured server (http://127.0.0.1:7070); the rest is the same document.
        ObjectNode served = (ObjectNode) JSON.readTree(json.body());
        ObjectNode built = (ObjectNode) JSON.readTree(BUILT.toFile());
        served.remove("servers");
        built.remove("servers");
        assertThat(served).isEqualTo(built);
        HttpResponse<String> yaml = get("/q/openapi", null);
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.body()).startsWith("---\nopenapi: 3.1.0");
        // Exempting the document must not exempt the API.
        assertThat(daemon.status("/api/v1/workloads", null)).isEqualTo(401);
        assertThat(daemon.status("/api/v1/workloads", daemon.token())).isEqualTo(200);
    }

    @Test
    void swaggerParserFindsAValidOpenApi31DocumentWithEveryReferenceResolved() throws Exception {
        String doc = get("/q/openapi?format=json", "application/json").body();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(doc, null, options);
        assertThat(result.getMessages()).as("swagger-parser's messages").isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(result.getOpenAPI().getComponents().getSecuritySchemes()).containsKey("token");
        // Every $ref points at a component that exists.
        Set<String> refs = new TreeSet<>();
        JSON.readTree(doc).findValues("$ref").forEach(r -> refs.add(r.asText()));
        JsonNode schemas = JSON.readTree(doc).at("/components/schemas");
        assertThat(refs).isNotEmpty().allSatisfy(r -> assertThat(schemas.has(r.substring(r.lastIndexOf('/') + 1))).as(r).isTrue());
    }

    @Test
    void everyComponentSchemaIsValidJsonSchema202012() throws Exception {
        ObjectNode request = JSON.createObjectNode();
        request.set("schemas", JSON.readTree(get("/q/openapi?format=json", "application/json").body()).at("/components/schemas"));
        String script = """
                import json, sys, jsonschema
                bad = {}
                for name, schema in json.load(sys.stdin)["schemas"].items():
                    try:
                        jsonschema.Draft202012Validator.check_schema(schema)
                    except jsonschema.SchemaError as e:
                        bad[name] = e.message
                json.dump(bad, sys.stdout)
                """;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).start();
        try (var in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(request));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(JSON.readTree(out).size()).as(out).isZero();
    }

    @Test
    void everyEndpointIsDocumentedWithItsAnswerAndItsErrors() throws Exception {
        JsonNode paths = JSON.readTree(get("/q/openapi?format=json", "application/json").body()).get("paths");
        Map<String, String> answers = Map.ofEntries(
                Map.entry("post /api/v1/plan", "200"), Map.entry("post /api/v1/apply", "200"),
                Map.entry("get /api/v1/workloads", "200"), Map.entry("get /api/v1/workloads/{name}", "200"),
                Map.entry("delete /api/v1/workloads/{name}", "200"), Map.entry("get /api/v1/workloads/{name}/logs", "200"),
                Map.entry("get /api/v1/workloads/{name}/stats", "200"), Map.entry("get /api/v1/stats", "200"),
                Map.entry("get /api/v1/stats/stream", "200"), Map.entry("get /api/v1/events", "200"),
                Map.entry("post /api/v1/reconcile", "202"), Map.entry("get /api/v1/reconcile/{id}", "200"),
                Map.entry("get /api/v1/git", "200"), Map.entry("post /api/v1/hooks/git", "202"));
        List<String> problems = new ArrayList<>();
        answers.forEach((op, ok) -> {
            String[] mp = op.split(" ");
            JsonNode o = paths.path(mp[1]).path(mp[0]);
            if (o.isMissingNode()) {
                problems.add(op + ": not documented");
                return;
            }
            JsonNode responses = o.get("responses");
            if (!responses.path(ok).path("content").fieldNames().hasNext()) {
                problems.add(op + ": no " + ok + " answer with content");
            }
            List<String> errors = new ArrayList<>(List.of("401"));
            if (mp[1].contains("{")) {
                errors.add("404");
            }
            if (mp[1].endsWith("/plan") || mp[1].endsWith("/apply")) {
                errors.addAll(List.of("400", "409", "503"));
            }
            for (String e : errors) {
                if (!responses.path(e).path("content").path("application/json").path("schema").path("$ref").asText()
                        .endsWith("/ErrorView")) {
                    problems.add(op + ": no " + e + " with ErrorView");
                }
            }
            boolean hook = mp[1].endsWith("/hooks/git");
            if (hook != o.path("security").path(0).isEmpty()) {
                problems.add(op + (hook ? ": the webhook must not ask for the token" : ": no bearer token required"));
            }
        });
        assertThat(problems).isEmpty();
        for (String body : List.of("/api/v1/plan", "/api/v1/apply")) {
            JsonNode content = paths.path(body).path("post").path("requestBody").path("content");
            assertThat(content.has("application/yaml") && content.has("application/json")
                    && content.has("application/vnd.berth.files+json")).as(body + " request body").isTrue();
        }
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(daemon.url() + path));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
