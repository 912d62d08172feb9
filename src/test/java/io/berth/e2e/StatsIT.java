package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The utilization API of {@code agent serve} as a user sees it: the sample shape of CONTRACT §3,
 * the per-workload path next to {@code /api/v1/workloads/{name}}, the event stream, and the
 * Prometheus metrics of CONTRACT §5 — which end when their workload is removed.
 */
class StatsIT {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Duration INTERVAL = Duration.ofMillis(700);
    static final ObjectMapper JSON = new ObjectMapper();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-stats-" + id;
    final String web = "sweb-" + id;
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;
    String token;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(manifests.resolve("web.yaml"), Manifests.containerYaml(web, "250m", "48Mi", Manifests.SLEEP));
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_STATS_INTERVAL", INTERVAL.toMillis() + "ms"));
        token = daemon.token();
        // sampled while running (a sample taken between create and start reads 0)
        await("the workload is sampled", () -> sampledMemory() > 0);
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
    }

    @Test
    void statsReportEveryWorkloadAndTheHostInTheContractShape() throws Exception {
        JsonNode all = JSON.readTree(body("/api/v1/stats", token));
        assertThat(names(all)).containsExactlyInAnyOrder("sampledAt", "host", "workloads");
        assertThat(names(all.get("host"))).containsExactlyInAnyOrder("cpu", "memory");
        assertThat(names(all.get("host").get("cpu"))).containsExactlyInAnyOrder("capacityCores", "allocatedCores", "usageCores");
        assertThat(names(all.get("host").get("memory"))).containsExactlyInAnyOrder("capacityBytes", "allocatedBytes", "usageBytes");
        assertThat(all.get("host").get("cpu").get("capacityCores").asDouble()).isEqualTo(java.lang.Runtime.getRuntime().availableProcessors());
        assertThat(all.get("host").get("cpu").get("allocatedCores").asDouble()).as("this agent's one container").isEqualTo(0.25);
        assertThat(all.get("host").get("memory").get("allocatedBytes").asLong()).isEqualTo(48L << 20);
        assertThat(all.get("host").get("memory").get("capacityBytes").asLong())
                .isGreaterThan(all.get("host").get("memory").get("usageBytes").asLong()).isPositive();
        assertThat(all.get("workloads")).hasSize(1);

        JsonNode w = all.get("workloads").get(0);
        assertThat(names(w)).containsExactlyInAnyOrder("name", "kind", "sampledAt", "cpu", "memory", "oomKilled");
        assertThat(names(w.get("cpu"))).containsExactlyInAnyOrder("usageCores", "limitCores", "percentOfLimit", "throttledSeconds");
        assertThat(names(w.get("memory"))).containsExactlyInAnyOrder("usageBytes", "limitBytes", "percentOfLimit");
        assertThat(w.get("name").asText()).isEqualTo(web);
        assertThat(w.get("kind").asText()).isEqualTo("Container");
        assertThat(Instant.parse(w.get("sampledAt").asText())).isBetween(Instant.now().minusSeconds(5), Instant.now());
        assertThat(w.get("cpu").get("limitCores").asDouble()).isEqualTo(0.25);
        assertThat(w.get("cpu").get("usageCores").asDouble()).as("a sleeper").isLessThan(0.05);
        assertThat(w.get("memory").get("limitBytes").asLong()).isEqualTo(48L << 20);
        assertThat(w.get("memory").get("usageBytes").asLong()).isPositive().isLessThan(48L << 20);
        assertThat(w.get("oomKilled").asBoolean()).isFalse();

        JsonNode one = JSON.readTree(body("/api/v1/workloads/" + web + "/stats", token));
        assertThat(names(one)).isEqualTo(names(w));
        assertThat(one.get("name").asText()).isEqualTo(web);
    }

    @Test
    void theStatsPathLivesBesideTheWorkloadPathAndNeedsTheToken() throws Exception {
        JsonNode workload = JSON.readTree(body("/api/v1/workloads/" + web, token));
        assertThat(workload.get("name").asText()).isEqualTo(web);
        assertThat(workload.has("desired")).as("still the workload view, not stats").isTrue();
        assertThat(status("/api/v1/workloads/nope-" + id + "/stats", token)).isEqualTo(404);
        assertThat(status("/api/v1/workloads/" + web + "/stats", null)).isEqualTo(401);
        assertThat(status("/api/v1/stats", "wrong")).isEqualTo(401);
        assertThat(status("/api/v1/stats/stream", null)).isEqualTo(401);
    }

    @Test
    void theStreamSendsOneSnapshotPerInterval() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(daemon.url() + "/api/v1/stats/stream"))
                .header("Authorization", "Bearer " + token).build();
        HttpResponse<Stream<String>> res = http.send(req, HttpResponse.BodyHandlers.ofLines());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Instant> times = new ArrayList<>();
        try (Stream<String> lines = res.body()) {
            Iterator<String> it = lines.iterator();
            while (times.size() < 5 && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("data:")) {
                    JsonNode s = JSON.readTree(line.substring("data:".length()));
                    assertThat(s.get("workloads").get(0).get("name").asText()).isEqualTo(web);
                    assertThat(s.has("host")).isTrue();
                    times.add(Instant.parse(s.get("sampledAt").asText()));
                }
            }
        }
        assertThat(times).hasSize(5);
        // The first event is the newest snapshot at connect time; from then on one per interval.
        for (int i = 2; i < times.size(); i++) {
            long gap = Duration.between(times.get(i - 1), times.get(i)).toMillis();
            assertThat(gap).as("gap between samples %s", times).isBetween(INTERVAL.toMillis() - 150, INTERVAL.toMillis() + 150);
        }
    }

    @Test
    void metricsCarryTheContractNamesAndEndWithTheirWorkload() throws Exception {
        String label = "{kind=\"Container\",name=\"" + web + "\"}";
        String metrics = body("/q/metrics", null);
        for (String m : List.of("berth_workload_cpu_usage_cores", "berth_workload_cpu_limit_cores",
                "berth_workload_memory_usage_bytes", "berth_workload_memory_limit_bytes",
                "berth_workload_cpu_throttled_seconds_total")) {
            assertThat(metrics).as(m).contains(m + label);
        }
        assertThat(value(metrics, "berth_workload_cpu_limit_cores" + label)).isEqualTo(0.25);
        assertThat(value(metrics, "berth_workload_memory_limit_bytes" + label)).isEqualTo(48L << 20);
        assertThat(value(metrics, "berth_workload_memory_usage_bytes" + label)).isPositive();
        // Prometheus names the counter family without _total and its sample with it.
        assertThat(metrics).contains("# TYPE berth_workload_cpu_throttled_seconds counter");
        for (String m : List.of("berth_host_cpu_capacity_cores", "berth_host_cpu_allocated_cores", "berth_host_cpu_usage_cores",
                "berth_host_memory_capacity_bytes", "berth_host_memory_allocated_bytes", "berth_host_memory_usage_bytes",
                "berth_stats_sample_age_seconds", "berth_stats_sampler_cpu_seconds_total")) {
            assertThat(metrics).as(m).containsPattern("(?m)^" + m + " ");
        }
        assertThat(value(metrics, "berth_host_cpu_allocated_cores")).isEqualTo(0.25);
        assertThat(value(metrics, "berth_host_memory_allocated_bytes")).isEqualTo(48L << 20);
        assertThat(value(metrics, "berth_stats_sample_age_seconds")).isBetween(0.0, 2.0);

        Files.delete(manifests.resolve("web.yaml"));
        await("the workload's series end with it", () -> !body("/q/metrics", null).contains("name=\"" + web + "\""));
        assertThat(status("/api/v1/workloads/" + web + "/stats", token)).isEqualTo(404);
        assertThat(value(body("/q/metrics", null), "berth_host_cpu_allocated_cores")).isZero();
    }

    /** The workload's sampled memory, or -1 while it has no sample. */
    private long sampledMemory() {
        if (status("/api/v1/workloads/" + web + "/stats", token) != 200) {
            return -1;
        }
        try {
            return JSON.readTree(body("/api/v1/workloads/" + web + "/stats", token)).get("memory").get("usageBytes").asLong();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The value of the sample line {@code series VALUE} (name plus labels, exactly). */
    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).strip());
            }
        }
        throw new AssertionError("no series " + series + " in\n" + metrics);
    }

    private static Set<String> names(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    private String body(String path, String bearer) {
        HttpResponse<String> r = daemon.get(path, bearer);
        assertThat(r).as("GET %s answered", path).isNotNull();
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private int status(String path, String bearer) {
        return daemon.status(path, bearer);
    }

    private void await(String what, BooleanSupplier condition) throws Exception {
        daemon.await(what, WAIT, condition);
    }
}
