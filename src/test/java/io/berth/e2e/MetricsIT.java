package io.berth.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.GitRepo;
import io.berth.testing.Manifests;
import io.berth.testing.Promtool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /q/metrics} of a real daemon with a git source and one running container (so the git and
 * per-workload families exist): {@code promtool check metrics} finds nothing to report in the whole
 * exposition, every Berth family has a HELP and the right TYPE, the default (OpenMetrics) answer has
 * no escaped quote left in a HELP, and every metric the shipped rules and dashboard query is there.
 */
class MetricsIT {

    /** Berth's families and their Prometheus types (classic text format: counters' TYPE names end in _total). */
    static final Map<String, String> TYPES = new LinkedHashMap<>();

    static {
        TYPES.put("berth_reconcile_total", "counter");
        TYPES.put("berth_reconcile_duration_seconds", "histogram");
        TYPES.put("berth_reconcile_duration_seconds_max", "gauge");
        TYPES.put("berth_drift_repairs_total", "counter");
        TYPES.put("berth_git_sync_total", "counter");
        TYPES.put("berth_git_applied_timestamp_seconds", "gauge");
        TYPES.put("berth_stats_sampler_cpu_seconds_total", "counter");
        TYPES.put("berth_stats_sample_age_seconds", "gauge");
        TYPES.put("berth_workload_cpu_throttled_seconds_total", "counter");
        for (String g : new String[] {"workload_cpu_usage_cores", "workload_cpu_limit_cores", "workload_memory_usage_bytes",
                "workload_memory_limit_bytes", "host_cpu_capacity_cores", "host_cpu_allocated_cores", "host_cpu_usage_cores",
                "host_memory_capacity_bytes", "host_memory_allocated_bytes", "host_memory_usage_bytes"}) {
            TYPES.put("berth_" + g, "gauge");
        }
    }

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-metrics-" + id;
    final String web = "mweb-" + id;
    final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @BeforeEach
    void start() throws Exception {
        GitRepo repo = GitRepo.create(dir);
        repo.write("web.yaml", Manifests.containerYaml(web, "50m", "32Mi", Manifests.SLEEP));
        repo.commit("one container");
        Path watched = Files.createDirectories(state.resolve("watched"));
        daemon = DaemonProcess.start(watched, state, agent, Map.of("BERTH_GIT_URL", repo.url(), "BERTH_GIT_INTERVAL", "2s",
                "BERTH_STATS_INTERVAL", "500ms"));
        daemon.await("the git commit is applied and its workload sampled",
                () -> text().contains("berth_workload_memory_usage_bytes{kind=\"Container\",name=\"" + web + "\""));
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
    }

    @Test
    void promtoolFindsNothingToReportInTheWholeExposition() throws Exception {
        String text = text();
        Promtool.Result lint = Promtool.run(state, text, "check", "metrics");
        assertThat(lint.output()).as("promtool check metrics").isEmpty();
        assertThat(lint.exit()).isZero();
        // OpenMetrics (what a plain GET gets) escapes quotes in HELP as \" which the text format cannot read.
        assertThat(get(null)).contains("# EOF").doesNotContain("\\\"");
    }

    @Test
    void everyBerthFamilyHasHelpAndItsType() {
        String text = text();
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^# (HELP|TYPE) (berth_\\S+) ?(.*)$").matcher(text);
        while (m.find()) {
            (m.group(1).equals("HELP") ? help : types).put(m.group(2), m.group(3));
        }
        assertThat(types).containsAllEntriesOf(TYPES);
        assertThat(types.keySet()).as("no Berth family left unlisted here").isSubsetOf(TYPES.keySet());
        TYPES.keySet().forEach(f -> assertThat(help.get(f)).as("HELP of " + f).isNotBlank().hasSizeGreaterThan(15));
    }

    @Test
    void everyMetricTheRulesAndTheDashboardQueryIsExposed() throws Exception {
        String text = text();
        Set<String> exposed = new TreeSet<>();
        Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(text).results().forEach(r -> exposed.add(r.group(1)));
        Set<String> queried = new TreeSet<>(Promtool.metricNames(Files.readString(Path.of("deploy/prometheus/berth-rules.yml"))));
        var dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/berth-dashboard.json").toFile());
        dashboard.get("panels").forEach(p -> p.path("targets").forEach(t -> queried.addAll(Promtool.metricNames(t.get("expr").asText()))));
        assertThat(queried).hasSizeGreaterThan(15);
        // Only a VM with snapshots has these; VmDaemonIT checks them against its daemon's exposition.
        queried.removeAll(io.berth.stats.MetricsArtifactsTest.SNAPSHOT_FAMILIES);
        assertThat(exposed).containsAll(queried);
    }

    /** The exposition in the classic text format 0.0.4, which promtool reads. */
    private String text() {
        return get("text/plain; version=0.0.4");
    }

    private String get(String accept) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(daemon.url() + "/q/metrics"));
            if (accept != null) {
                b.header("Accept", accept);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (Exception e) {
            return "";
        }
    }
}
