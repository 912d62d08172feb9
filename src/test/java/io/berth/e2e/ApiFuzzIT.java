package io.berth.e2e;

import io.berth.testing.DaemonProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 mutated and random request bodies against a real {@code agent serve} (manifests as YAML,
 * as JSON, as the CLI's files body, random bytes; plan, dry-run apply, lookups of odd names):
 * the daemon answers every one with a 2xx or a 4xx — never a 5xx, never a dropped connection —
 * stays ready, and its memory and threads stay bounded. Nothing is created: plans and dry runs
 * only, so the host is untouched.
 */
class ApiFuzzIT {

    static final int REQUESTS = 10_000;
    static final String ALPHABET = " \t\n:-[]{},&*!|>'\"%@`#?~0aZ.\\/\u00e9\u2028\u0000";
    static final List<String> TYPES = List.of("application/yaml", "application/json", "text/plain",
            "application/vnd.berth.files+json", "application/x-www-form-urlencoded", "");

    @TempDir
    Path dir;

    @Test
    void noBodyMakesTheDaemonFailOrGrow() throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Path state = Files.createDirectories(dir.resolve("state"));
        String agent = "e2e-fuzz-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> seeds = List.of(
                Files.readString(Path.of("src/test/resources/manifests/valid/container-rich.yaml")),
                Files.readString(Path.of("src/test/resources/manifests/valid/vm.yaml")),
                Files.readString(Path.of("src/test/resources/manifests/valid/multi.yaml")),
                Files.readString(Path.of("src/test/resources/manifests/valid/container-minimal.yaml")));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Random random = new Random(20261202);
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        try (DaemonProcess d = DaemonProcess.start(manifests, state, agent, Map.of())) {
            String token = d.token();
            long pid = d.process().pid();
            long rssWarm = 0;
            int threadsWarm = 0;
            long started = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                if (i == REQUESTS / 10) {
                    rssWarm = status(pid, "VmRSS:");
                    threadsWarm = (int) status(pid, "Threads:");
                }
                HttpRequest request = request(d.url(), token, seeds, random);
                HttpResponse<String> r;
                try {
                    r = http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    failures.add(request.method() + " " + request.uri() + ": no answer: " + e);
                    assertThat(d.process().isAlive()).as("daemon alive after request %d", i).isTrue();
                    continue;
                }
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() >= 500) {
                    failures.add(request.method() + " " + request.uri() + " -> " + r.statusCode() + ": "
                            + r.body().substring(0, Math.min(300, r.body().length())));
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long rssEnd = status(pid, "VmRSS:");
            int threadsEnd = (int) status(pid, "Threads:");
            System.out.printf("ApiFuzzIT: %d requests in %.1f s, statuses %s; RSS %d -> %d KiB, threads %d -> %d%n",
                    REQUESTS, seconds, statuses, rssWarm, rssEnd, threadsWarm, threadsEnd);
            assertThat(failures).as("5xx answers or dropped connections").isEmpty();
            assertThat(d.status("/q/health/ready", null)).as("ready after the fuzz").isEqualTo(200);
            assertThat(d.log()).doesNotContain("Exception in thread").doesNotContain("OutOfMemoryError");
            // Bounded, not flat: the JIT and the heap still settle after the first thousand requests.
            assertThat(rssEnd).as("RSS (KiB) after the fuzz vs after the first tenth").isLessThan(rssWarm + 200 * 1024);
            assertThat(threadsEnd).as("threads after the fuzz vs after the first tenth").isLessThanOrEqualTo(threadsWarm + 16);
            // The mix reached the validators, the planner and the lookups, not only the body checks.
            assertThat(statuses).containsKeys(200, 400, 404);
        }
    }

    /** One random request: mostly mutated manifests to plan or dry-run apply, sometimes odd lookups. */
    private static HttpRequest request(String base, String token, List<String> seeds, Random random) {
        int pick = random.nextInt(100);
        HttpRequest.Builder b;
        if (pick < 80) {
            String body = body(seeds, random);
            String path = random.nextInt(4) == 0 ? "/api/v1/apply?dryRun=true" : "/api/v1/plan";
            if (random.nextInt(8) == 0) {
                path += (path.contains("?") ? "&" : "?") + "prune=" + (random.nextBoolean() ? "true" : "maybe")
                        + "&source=" + random.nextInt(1000);
            }
            b = HttpRequest.newBuilder(URI.create(base + path))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)));
            String type = TYPES.get(random.nextInt(TYPES.size()));
            if (!type.isEmpty()) {
                b.header("Content-Type", type);
            }
        } else if (pick < 90) {
            b = HttpRequest.newBuilder(URI.create(base + "/api/v1/workloads/" + name(random))).GET();
        } else if (pick < 95) {
            b = HttpRequest.newBuilder(URI.create(base + "/api/v1/reconcile/" + name(random))).GET();
        } else {
            b = HttpRequest.newBuilder(URI.create(base + "/api/v1/workloads/" + name(random) + "/stats")).GET();
        }
        return b.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build();
    }

    /** A seed manifest with a few character edits, sometimes shaped as JSON or as the CLI's files body, or noise. */
    private static String body(List<String> seeds, Random random) {
        if (random.nextInt(20) == 0) {
            byte[] noise = new byte[random.nextInt(512)];
            random.nextBytes(noise);
            return new String(noise, StandardCharsets.ISO_8859_1);
        }
        StringBuilder b = new StringBuilder(seeds.get(random.nextInt(seeds.size())));
        int edits = random.nextInt(5);
        for (int i = 0; i < edits && !b.isEmpty(); i++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(4)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 2 -> b.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                default -> b.insert(at, String.valueOf(random.nextLong()));
            }
        }
        String yaml = b.toString();
        return switch (random.nextInt(6)) {
            case 0 -> "{\"files\": [{\"name\": \"fuzz.yaml\", \"source\": \"/fuzz\", \"content\": " + quote(yaml) + "}]}";
            case 1 -> "[" + quote(yaml) + ", 1, null, {\"apiVersion\": 2}]";
            default -> yaml;
        };
    }

    private static String name(Random random) {
        String[] odd = {"x", "web", "%2e%2e", "a".repeat(300), "UPPER", "-lead", "%00", "x%2Fy", "\u00e9t\u00e9"};
        return odd[random.nextInt(odd.length)].replace("\u00e9", "%C3%A9");
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A number from /proc/PID/status (VmRSS in KiB, Threads). */
    private static long status(long pid, String key) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(key + " not in /proc/" + pid + "/status");
    }
}
