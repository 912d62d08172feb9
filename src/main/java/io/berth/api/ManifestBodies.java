package io.berth.api;

import io.berth.reconcile.ApplyService;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the manifests of a {@code POST /api/v1/plan} or {@code /apply} body, all or nothing:
 * <ul>
 * <li>{@code application/yaml} (or JSON): one manifest stream, whose source is {@code ?source=}
 * (default {@code api});</li>
 * <li>{@value #FILES}: what {@code agent apply} sends — {@code {"files":[{"name","source","content"}]}},
 * the client's files with their names, so every error names the user's own file and line.</li>
 * </ul>
 * Any invalid manifest fails the whole body with every error line; the host policy applies.
 */
public final class ManifestBodies {

    static final String FILES = "application/vnd.berth.files+json";
    static final String DEFAULT_SOURCE = "api";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bad input: every line says file:line:col: field: what is wrong. */
    static final class Invalid extends RuntimeException {
        final List<String> lines;

        Invalid(List<String> lines) {
            super(String.join("\n", lines));
            this.lines = List.copyOf(lines);
        }
    }

    private final HostPolicy policy;

    public ManifestBodies(HostPolicy policy) {
        this.policy = policy;
    }

    ApplyService.Request read(byte[] body, String contentType, String source, boolean prune) {
        Map<Path, byte[]> texts = new LinkedHashMap<>();
        Map<Path, String> sourceOfFile = new LinkedHashMap<>();
        if (contentType != null && contentType.startsWith(FILES)) {
            files(body, texts, sourceOfFile);
        } else {
            String s = source == null || source.isBlank() ? DEFAULT_SOURCE : source;
            Path name = Path.of("<request body>");
            texts.put(name, body);
            sourceOfFile.put(name, s);
        }
        ManifestLoader.LoadResult loaded = new ManifestLoader(java.io.InputStream.nullInputStream(), policy)
                .refusingNetworks(io.berth.manifest.NetworkManifest.DAEMON_REFUSAL).loadTexts(texts);
        if (!loaded.errors().isEmpty()) {
            throw new Invalid(loaded.errors().stream().map(ManifestError::toString).toList());
        }
        Map<String, String> sourceOf = new LinkedHashMap<>();
        for (Workload w : loaded.workloads()) {
            sourceOf.put(w.name(), sourceOfFile.get(w.origin().file()));
        }
        Set<String> sources = new LinkedHashSet<>(sourceOfFile.values());
        return new ApplyService.Request(loaded.workloads(), sourceOf, sources, prune);
    }

    private static void files(byte[] body, Map<Path, byte[]> texts, Map<Path, String> sourceOfFile) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new Invalid(List.of("<request body>: not valid JSON for " + FILES + ": " + e.getMessage().lines().findFirst().orElse("")));
        }
        JsonNode files = root == null ? null : root.get("files");
        if (files == null || !files.isArray()) {
            throw new Invalid(List.of("<request body>: expected {\"files\":[{\"name\",\"source\",\"content\"}, ...]}"));
        }
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (JsonNode f : files) {
            String at = "<request body>: files[" + i++ + "]";
            if (!f.path("name").isTextual() || !f.path("content").isTextual() || !f.path("source").isTextual()) {
                problems.add(at + ": needs string fields name, source and content");
                continue;
            }
            try {
                Path name = Path.of(f.get("name").asText());
                texts.put(name, f.get("content").asText().getBytes(StandardCharsets.UTF_8));
                sourceOfFile.put(name, f.get("source").asText());
            } catch (InvalidPathException e) {
                problems.add(at + ".name: not a file name: " + e.getReason());
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
    }
}
