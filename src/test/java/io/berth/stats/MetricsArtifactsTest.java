package io.berth.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files Berth ships, checked offline: the alerting rules pass {@code promtool check
 * rules} and their unit tests ({@code promtool test rules}); the Grafana dashboard is valid JSON with
 * a panel for every Berth metric family. {@code MetricsIT} checks the names they query against a real
 * daemon's exposition.
 */
public class MetricsArtifactsTest {

    static final Path PROMETHEUS = Path.of("deploy/prometheus");
    static final Path DASHBOARD = Path.of("deploy/grafana/berth-dashboard.json");

    /** Every Berth family (CONTRACT §5 and the git source's), as its samples are named. */
    static final Set<String> FAMILIES = Set.of("berth_reconcile_total", "berth_reconcile_duration_seconds_bucket",
            "berth_drift_repairs_total", "berth_git_applied_timestamp_seconds", "berth_git_sync_total",
            "berth_host_cpu_capacity_cores", "berth_host_cpu_allocated_cores", "berth_host_cpu_usage_cores",
            "berth_host_memory_capacity_bytes", "berth_host_memory_allocated_bytes", "berth_host_memory_usage_bytes",
            "berth_workload_cpu_usage_cores", "berth_workload_cpu_limit_cores", "berth_workload_memory_usage_bytes",
            "berth_workload_memory_limit_bytes", "berth_workload_cpu_throttled_seconds_total",
            "berth_stats_sample_age_seconds", "berth_stats_sampler_cpu_seconds_total",
            "berth_workload_snapshots", "berth_workload_snapshots_size_bytes", "berth_workload_snapshot_overdue_seconds");

    /** Families only a VM with snapshots has: MetricsIT's daemon runs none, VmDaemonIT checks these. */
    public static final Set<String> SNAPSHOT_FAMILIES = Set.of("berth_workload_snapshots",
            "berth_workload_snapshots_size_bytes", "berth_workload_snapshot_overdue_seconds");

    @Test
    void theRulesPassPromtoolsCheckAndTheirUnitTests() throws Exception {
        Promtool.Result check = Promtool.run(PROMETHEUS, null, "check", "rules", "berth-rules.yml");
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 9 rules found");

        Promtool.Result test = Promtool.run(PROMETHEUS, null, "test", "rules", "berth-rules.test.yml");
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTest() throws Exception {
        String rules = Files.readString(PROMETHEUS.resolve("berth-rules.yml"));
        String tests = Files.readString(PROMETHEUS.resolve("berth-rules.test.yml"));
        List<String> alerts = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("(?m)^\\s*- alert: (\\S+)").matcher(rules);
        while (m.find()) {
            alerts.add(m.group(1));
        }
        assertThat(alerts).hasSize(9).allSatisfy(a -> assertThat(tests).contains("alertname: " + a));
    }

    @Test
    void theDashboardIsValidJsonWithAPanelForEveryBerthFamily() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(d.path("title").asText()).isEqualTo("Berth");
        Set<String> queried = new TreeSet<>(Promtool.metricNames(String.join("\n", exprs(d))));
        assertThat(queried).containsAll(FAMILIES);
        Set<Integer> ids = new TreeSet<>();
        d.get("panels").forEach(p -> assertThat(ids.add(p.get("id").asInt())).as("panel ids are unique").isTrue());
    }

    /** Every PromQL text of the dashboard: the panels' targets and the template variables' queries. */
    static List<String> exprs(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.get("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.get("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> out.add(v.path("query").path("query").asText()));
        return out;
    }
}
