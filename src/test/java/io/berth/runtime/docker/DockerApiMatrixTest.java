package io.berth.runtime.docker;

import io.berth.manifest.Limits;
import io.berth.manifest.Redaction;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import io.berth.runtime.Capabilities;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.WorkloadState;
import io.berth.testing.Manifests;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Berth's Docker runtime against the answers of each Engine API version it supports: 1.41
 * recorded from Debian 12's Docker 20.10, and 1.44 (Docker 25), 1.47 (Docker 27) and 1.52
 * (Docker 29, which refuses anything under 1.44) written from Docker's API changelog
 * (src/test/resources/docker-api/derive.py), served by {@link FakeEngine}: no newer engine can
 * be installed here. For each: the version negotiated, the version prefix on every request, the
 * list, inspect (state, exit code, limits, labels, health, the recorded spec), events and the
 * calls that change containers.
 */
class DockerApiMatrixTest {

    static final String AGENT = "fixture-agent";

    static DockerRuntime runtime(FakeEngine engine) {
        return new DockerRuntime(AGENT, engine.host(), Redaction.ephemeral());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.41", "1.44", "1.47", "1.52"})
    void speaksTheEnginesVersionOnEveryRequestAndReadsItsAnswers(String api) {
        try (FakeEngine engine = new FakeEngine("v" + api); DockerRuntime runtime = runtime(engine)) {
            List<Observed> listed = runtime.list();

            assertThat(listed).extracting(Observed::name).containsExactlyInAnyOrder("web", "job");
            Observed web = runtime.inspect("web").orElseThrow();
            assertThat(web.state()).isEqualTo(WorkloadState.Running);
            assertThat(web.exitCode()).isNull();
            assertThat(web.health()).isEqualTo("healthy");
            assertThat(web.limits().cpuMillis()).isEqualTo(500);
            assertThat(web.limits().memoryBytes()).isEqualTo(64L << 20);
            assertThat(web.limits().memorySwapBytes()).isEqualTo(64L << 20);
            assertThat(web.limits().pids()).isEqualTo(100);
            assertThat(web.agent()).isEqualTo(AGENT);
            assertThat(web.source()).isEqualTo("/etc/berth/manifests");
            assertThat(web.specHash()).matches("[0-9a-f]{64}");
            assertThat(web.applied()).as("the recorded spec label").isNotNull();
            assertThat(web.applied().labels()).containsEntry("tier", "frontend");
            assertThat(web.applied().resources().pids()).isEqualTo(100);

            Observed job = listed.stream().filter(o -> o.name().equals("job")).findFirst().orElseThrow();
            assertThat(job.state()).isEqualTo(WorkloadState.Exited);
            assertThat(job.exitCode()).isEqualTo(3);
            assertThat(job.health()).as("no health check").isNull();
            assertThat(job.limits().cpuMillis()).isEqualTo(250);

            Capabilities c = runtime.capabilities();
            assertThat(c.api()).isEqualTo(api);
            assertThat(c.warnings()).noneMatch(w -> w.contains("API"));
            assertThat(c.details()).anyMatch(d -> d.startsWith("cgroup v" + (api.equals("1.52") ? "2 (systemd)" : "1 (cgroupfs)")));

            assertThat(engine.requests()).filteredOn(r -> !r.path().equals("/version"))
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.path()).startsWith("/v" + api + "/"));
            assertThat(engine.requests()).filteredOn(r -> r.path().equals("/version")).as("negotiated once").hasSize(1);
            assertThat(engine.requests()).filteredOn(r -> r.path().endsWith("/containers/json"))
                    .allSatisfy(r -> assertThat(r.query()).contains("io.berth.managed=true", "io.berth.agent=" + AGENT));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.41", "1.44", "1.47", "1.52"})
    void createsUpdatesStopsAndRemovesAtThatVersion(String api) {
        try (FakeEngine engine = new FakeEngine("v" + api); DockerRuntime runtime = runtime(engine)) {
            Workload w = Manifests.sleeper("api", "0.5", "64Mi");
            runtime.create(w, new Ownership(AGENT, "/etc/berth/manifests"));
            runtime.updateLimits("web", new Resources(new Limits(1000, 48L << 20), w.resources().requests(), 200));
            runtime.start("web");
            runtime.stop("web", Duration.ofSeconds(1));
            runtime.remove("web", false);

            FakeEngine.Request create = engine.requests().stream()
                    .filter(r -> r.path().endsWith("/containers/create")).findFirst().orElseThrow();
            assertThat(create.path()).isEqualTo("/v" + api + "/containers/create");
            assertThat(create.query()).contains("name=berth-api");
            assertThat(create.body()).contains("\"NanoCpus\":500000000", "\"Memory\":67108864", "\"MemorySwap\":67108864",
                    "\"io.berth.agent\":\"" + AGENT + "\"");
            // Removed from create by 1.42 (KernelMemory) and 1.52 (the container-wide MacAddress): never
            // given a value (docker-java sends unset fields as null, which Go's decoder reads as unset)
            assertThat(create.body()).doesNotContainPattern("\"(KernelMemory|KernelMemoryTCP|MacAddress)\":[^n]");
            FakeEngine.Request update = engine.requests().stream()
                    .filter(r -> r.path().endsWith("/update")).findFirst().orElseThrow();
            assertThat(update.body()).contains("\"NanoCpus\":1000000000", "\"Memory\":50331648", "\"PidsLimit\":200")
                    .doesNotContainPattern("\"KernelMemory(TCP)?\":[^n]");
            assertThat(engine.requests()).extracting(r -> r.method() + " " + r.path())
                    .contains("POST /v" + api + "/containers/" + WEB + "/start",
                            "POST /v" + api + "/containers/" + WEB + "/stop",
                            "DELETE /v" + api + "/containers/" + WEB);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.41", "1.44", "1.47", "1.52"})
    void readsTheEventStream(String api) throws Exception {
        try (FakeEngine engine = new FakeEngine("v" + api); DockerRuntime runtime = runtime(engine)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            try (AutoCloseable watch = runtime.watch(names::add, () -> { })) {
                // create, start, die, exec_create/exec_start/exec_die of the health check, health_status
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!names.containsAll(Set.of("web", "job")) && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(names).containsExactlyInAnyOrder("web", "job");
            }
            FakeEngine.Request events = engine.requests().stream()
                    .filter(r -> r.path().endsWith("/events")).findFirst().orElseThrow();
            assertThat(events.path()).isEqualTo("/v" + api + "/events");
            assertThat(events.query()).contains("io.berth.agent=" + AGENT, "container");
        }
    }

    @Test
    void anEngineNewerThanBerthIsSpokenToAtTheNewestBerthKnows() {
        // Docker 29's answers from an engine that says it speaks 1.53 and accepts 1.44 and up
        try (FakeEngine engine = new FakeEngine("v1.52", "1.53", "1.44"); DockerRuntime runtime = runtime(engine)) {
            assertThat(runtime.list()).hasSize(2);
            assertThat(engine.requests()).filteredOn(r -> !r.path().equals("/version"))
                    .allSatisfy(r -> assertThat(r.path()).startsWith("/v1.52/"));
            assertThat(runtime.capabilities().api()).isEqualTo(ApiVersions.NEWEST);
        }
    }

    @Test
    void anEngineUpgradedUnderBerthIsNegotiatedWithAgain() {
        try (FakeEngine engine = new FakeEngine("v1.41"); DockerRuntime runtime = runtime(engine)) {
            assertThat(runtime.list()).hasSize(2);
            engine.upgrade("v1.52"); // Docker 20.10 replaced by Docker 29, which refuses 1.41

            assertThatThrownBy(runtime::list).isInstanceOf(RuntimeFailure.class)
                    .hasMessageContaining("client version 1.41 is too old");
            assertThat(runtime.list()).as("the next call renegotiates").hasSize(2);
            assertThat(engine.requests().getLast().path()).startsWith("/v1.52/");
        }
    }

    /** The recorded container of workload web (the same id in every version's fixtures). */
    private static final String WEB = "17b17902d71b0ea89d053c4b02009afe4fc0f045ae4eaafc58ce07399bb3b991";
}
