package io.berth.api;

import io.berth.reconcile.Answers;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import com.fasterxml.jackson.core.type.TypeReference;
import io.berth.api.dto.ApplyAnswer;
import io.berth.api.dto.ErrorView;
import io.berth.api.dto.EventView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.Json;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.PlanView;
import io.berth.api.dto.RunView;
import io.berth.api.dto.SnapshotAnswer;
import io.berth.api.dto.SnapshotView;
import io.berth.api.dto.WorkloadView;
import io.berth.manifest.CanonicalForm;
import io.berth.manifest.HostIdentity;
import io.berth.manifest.Kind;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Placement;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.plan.PlanOptions;
import io.berth.plan.Planner;
import io.berth.reconcile.Outcome;
import io.berth.reconcile.ReconcileRuns;
import io.berth.reconcile.StatusBook;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.WorkloadState;
import io.berth.source.DesiredState;
import io.berth.source.GitStatusFixture;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's JSON, pinned: representative plans, apply answers, workloads, reconcile runs and errors,
 * serialised with the daemon's Jackson settings, must equal the golden files under
 * {@code src/test/resources/api} character for character (key names, order, nulls, number formats).
 * The golden files were captured from the code before the answers became typed records. README.md's
 * "API answers" examples must have exactly the structure of the real answers (keys, order, value
 * types), so the documentation cannot drift from the API. {@code -Dberth.golden.update=true}
 * rewrites the files.
 */
class ApiAnswersTest {

    /** Quarkus' default ObjectMapper (quarkus-jackson's producer): the modules it registers, dates as ISO strings. */
    static final ObjectMapper DAEMON_JSON = new ObjectMapper()
            .registerModule(new Jdk8Module()).registerModule(new JavaTimeModule()).registerModule(new ParameterNamesModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static final String SOURCE = "/etc/berth/manifests";
    static final Instant T0 = Instant.parse("2026-11-21T11:02:03.521Z");
    static final Path GOLDEN = Path.of("src/test/resources/api");

    @TempDir
    Path state;

    // ---- inputs -------------------------------------------------------------------------------

    static List<Workload> load(String fixture) {
        try {
            Path p = Path.of(Objects.requireNonNull(ApiAnswersTest.class.getResource("/plan/" + fixture)).toURI());
            ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(p.toString()));
            assertThat(r.errors()).isEmpty();
            return r.workloads();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Workload named(List<Workload> all, String name) {
        return all.stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
    }

    static Observed running(Workload applied) {
        long mem = applied.resources().limits().memoryBytes();
        ObservedLimits limits = new ObservedLimits(applied.resources().limits().cpuMillis(), mem, mem, applied.resources().pids(),
                applied.kind() == Kind.VirtualMachine ? mem + 160L * 1024 * 1024 : 0);
        List<String> notes = applied.kind() == Kind.VirtualMachine
                ? List.of("hypervisor: qemu (TCG): KVM does not boot a guest on this host") : List.of();
        return new Observed(applied.name(), applied.kind(), "id-" + applied.name(), WorkloadState.Running, null, false, SOURCE,
                "host-a", "sha256:" + applied.name(), applied, limits, notes);
    }

    /** A workload of this agent that no manifest declares any more: it exited 137, OOM-killed, and has no recorded spec. */
    static Observed leftover() {
        return new Observed("old", Kind.Container, "id-old", WorkloadState.Exited, 137, true, SOURCE, "host-a", null, null,
                new ObservedLimits(100, 32L * 1024 * 1024, 32L * 1024 * 1024, 4096, 0), List.of());
    }

    /** memory-changed.yaml over base.yaml, with prune: delete old, update web in place, vm and worker unchanged. */
    static Plan plan() {
        List<Observed> observed = new ArrayList<>(load("base.yaml").stream().map(ApiAnswersTest::running).toList());
        observed.add(leftover());
        return Planner.plan(load("memory-changed.yaml"), observed, new PlanOptions(true, Set.of(SOURCE), io.berth.manifest.Redaction.ephemeral()));
    }

    static List<String> elsewhere() {
        HostIdentity host = new HostIdentity("web-1", Map.of("role", "web"));
        return List.of("db: " + host.why(new Placement("db-1", Map.of())));
    }

    static Action action(Plan plan, String name) {
        return plan.actions().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    /** What became of plan(): old deleted, web updated, vm and worker unchanged. */
    static List<Outcome> outcomes(Plan plan) {
        return List.of(
                new Outcome(action(plan, "old"), null, Duration.ofMillis(412), List.of()),
                new Outcome(action(plan, "vm"), null, Duration.ZERO, List.of()),
                new Outcome(action(plan, "web"), null, Duration.ofMillis(1234), List.of("memory limit applied live")),
                new Outcome(action(plan, "worker"), null, Duration.ZERO, List.of()));
    }

    static StatusBook.Status status(String name, StatusBook.Phase phase, String action, String error, int restarts, Instant next) {
        return new StatusBook.Status(name, phase, action, error, T0, List.of(), restarts, next);
    }

    static Workload db() {
        List<Workload> base = load("base.yaml");
        Workload web = named(base, "web");
        return new Workload("db", Map.of(), web.resources(), null, web.spec(), web.origin());
    }

    // ---- the answers, as the code builds them ---------------------------------------------------

    static Object planAnswer() {
        return Answers.plan(plan()).withElsewhere(elsewhere());
    }

    static Object applyAnswer() {
        Plan plan = plan();
        List<OutcomeView> result = new ArrayList<>(outcomes(plan).stream().map(Answers::outcome).toList());
        result.add(Answers.outcome("slow", "unknown", "in progress", "slow: still in progress after 600 s; the daemon keeps"
                + " working on it (see `agent describe slow`)", 600, List.of()));
        return new ApplyAnswer(Answers.plan(plan), elsewhere(), result);
    }

    static Object localGetAnswer() {
        List<Workload> base = load("base.yaml");
        return List.of(Views.observed(leftover()), Views.observed(running(named(base, "vm"))),
                Views.observed(running(named(base, "web"))));
    }

    static List<WorkloadView> workloadsAnswer(List<String> unavailable) {
        List<Workload> base = load("base.yaml");
        Workload web = named(base, "web");
        Workload vm = named(base, "vm");
        return List.of(
                Views.workload("db", new DesiredState.Entry(db(), "api"), null,
                        status("db", StatusBook.Phase.Pending, "create", "cpu needs 500m, free 100m of allocatable 2", 0,
                                T0.plusSeconds(30)), unavailable),
                Views.workload("old", null, leftover(), null, unavailable),
                Views.workload("vm", new DesiredState.Entry(vm, SOURCE), running(vm),
                        status("vm", StatusBook.Phase.Running, "unchanged", null, 0, null), unavailable),
                Views.workload("web", new DesiredState.Entry(web, SOURCE), running(web),
                        status("web", StatusBook.Phase.Running, "update", null, 2, null), unavailable));
    }

    static Object workloadAnswer() {
        Workload web = named(load("base.yaml"), "web");
        WorkloadView w = Views.workload("web", new DesiredState.Entry(web, SOURCE), running(web),
                status("web", StatusBook.Phase.Running, "update", null, 2, null), List.of());
        return w.withDetail(CanonicalForm.toTree(web), Views.events(List.of(
                new StatusBook.Event(T0, "web", "Updated", "web: updated in place (memory 256Mi → 512Mi)"),
                new StatusBook.Event(T0.plusMillis(1500), "web", "Restarted", "web: exited with code 1; restarted (Always)"))));
    }

    static Object undeclaredAnswer() {
        return Views.workload("old", null, leftover(), null, List.of("VirtualMachine"));
    }

    static Object deleteAnswer() {
        return Answers.outcome(new Outcome(new Action.Delete(leftover(), "requested"), null, Duration.ofMillis(2017), List.of()));
    }

    Object runAnswer(boolean finished) throws Exception {
        ReconcileRuns.Run run = new ReconcileRuns.Run("webhook 72d3f1e0");
        set(run, "id", "0b6f7d2e-5c1a-4f3e-9a55-2f1c0d9e8b7a");
        set(run, "startedAt", T0);
        if (!finished) {
            return run.view();
        }
        GitView git = GitView.of(GitStatusFixture.status(state, "https://git.example.com/ops/fleet.git", gitStatusJson()))
                .withError("fleet/hello.yaml:7:29: spec.resources.limits.cpu: \"lots\" is not a CPU quantity");
        set(run, "git", git);
        Plan plan = plan();
        List<OutcomeView> workloads = new ArrayList<>(outcomes(plan).stream().map(Answers::outcome).toList());
        workloads.set(2, Answers.outcome(new Outcome(action(plan, "web"), "web: docker update failed: no such container",
                Duration.ofMillis(80), List.of())));
        set(run, "workloads", workloads);
        set(run, "error", "fleet/hello.yaml:7:29: spec.resources.limits.cpu: \"lots\" is not a CPU quantity");
        set(run, "finishedAt", T0.plusMillis(2250));
        set(run, "state", ReconcileRuns.State.Failed);
        return run.view();
    }

    static String gitStatusJson() {
        return """
                {"url": "https://git.example.com/ops/fleet.git", "branch": "main", "path": "fleet",
                 "fetched": {"commit": "9a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "message": "oops", "author": "Ann <ann@example.com>",
                             "committedAt": "2026-11-21T11:01:00Z", "at": "2026-11-21T11:02:04.100Z"},
                 "applied": {"commit": "3f2c81d0a9be4c5d6e7f8091a2b3c4d5e6f70819", "message": "web: 512Mi", "author": "Ann <ann@example.com>",
                             "committedAt": "2026-11-21T10:58:00Z", "at": "2026-11-21T11:00:03.521Z"},
                 "error": "fleet/hello.yaml:7:29: spec.resources.limits.cpu: \\"lots\\" is not a CPU quantity",
                 "errorCommit": "9a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "errorAt": "2026-11-21T11:02:04.200Z"}
                """;
    }

    Object gitAnswer() throws IOException {
        return GitView.of(GitStatusFixture.status(state, "https://git.example.com/ops/fleet.git", gitStatusJson()));
    }

    static Object errorAnswer() {
        Response r = ApiErrors.error(Response.Status.BAD_REQUEST, "2 errors in the manifests; nothing was changed", List.of(
                "web.yaml:8:29: spec.resources.limits.cpu: \"lots\" is not a CPU quantity (valid: \"2\", \"0.25\", 250m)",
                "web.yaml:9:16: spec.image: required"));
        return r.getEntity();
    }

    static Object notFoundAnswer() {
        return ApiErrors.error(Response.Status.NOT_FOUND, "no workload named nope is declared or managed by agent host-a",
                List.of()).getEntity();
    }

    static Object eventsAnswer() {
        return Views.events(List.of(
                new StatusBook.Event(T0, null, "InvalidManifests", "1 error in /etc/berth/manifests; the last good set stays"),
                new StatusBook.Event(T0.plusSeconds(1), "web", "Created", "web: created")));
    }

    // ---- the checks -----------------------------------------------------------------------------

    @Test
    void plan_() throws IOException {
        golden("plan", planAnswer());
    }

    @Test
    void apply() throws IOException {
        golden("apply", applyAnswer());
    }

    @Test
    void workloads() throws IOException {
        golden("workloads", workloadsAnswer(List.of()));
        golden("workloads-unavailable", workloadsAnswer(List.of("VirtualMachine")));
        golden("workload-undeclared", undeclaredAnswer());
    }

    @Test
    void workload() throws IOException {
        golden("workload", workloadAnswer());
    }

    @Test
    void localGet() throws IOException {
        golden("get-local", localGetAnswer());
    }

    @Test
    void delete() throws IOException {
        golden("delete", deleteAnswer());
    }

    @Test
    void reconcileRun() throws Exception {
        golden("reconcile-started", runAnswer(false));
        golden("reconcile-run", runAnswer(true));
    }

    @Test
    void git() throws IOException {
        golden("git", gitAnswer());
    }

    /** A snapshot create's answer and a list, as SnapshotOps builds them from what the runtime did. */
    @Test
    void snapshots() throws IOException {
        SnapshotView made = new SnapshotView("20261201T2215Z", "vm", "VirtualMachine", T0, 1_245_184, "manual",
                "/var/lib/berth/vms/vm/disk.qcow2");
        golden("snapshot", new SnapshotAnswer("created", made, 0.412,
                List.of("crash-consistent (the guest has no qemu-guest-agent channel to quiesce its filesystems)")));
        golden("snapshots", List.of(made, new SnapshotView("before-restore-20261202T010000Z", "vm", "VirtualMachine",
                T0.plusSeconds(3600), 196_608, "automatic", "/var/lib/berth/vms/vm/layers/20261121T110203521Z-1a2b.qcow2")));
    }

    @Test
    void errors() throws IOException {
        golden("error", errorAnswer());
        golden("error-not-found", notFoundAnswer());
    }

    @Test
    void events() throws IOException {
        golden("events", eventsAnswer());
    }

    /**
     * The CLI reads each answer into the same record and prints it again ({@code -o json}): what it
     * prints must be exactly what the daemon sent.
     */
    @Test
    void theCliReadsAndPrintsTheAnswersUnchanged() throws IOException {
        Map<String, TypeReference<?>> types = new LinkedHashMap<>();
        types.put("plan", new TypeReference<PlanView>() { });
        types.put("apply", new TypeReference<ApplyAnswer>() { });
        types.put("workloads", new TypeReference<List<WorkloadView>>() { });
        types.put("workloads-unavailable", new TypeReference<List<WorkloadView>>() { });
        types.put("workload-undeclared", new TypeReference<WorkloadView>() { });
        types.put("workload", new TypeReference<WorkloadView>() { });
        types.put("get-local", new TypeReference<List<WorkloadView>>() { });
        types.put("delete", new TypeReference<OutcomeView>() { });
        types.put("reconcile-started", new TypeReference<RunView>() { });
        types.put("reconcile-run", new TypeReference<RunView>() { });
        types.put("git", new TypeReference<GitView>() { });
        types.put("error", new TypeReference<ErrorView>() { });
        types.put("error-not-found", new TypeReference<ErrorView>() { });
        types.put("events", new TypeReference<List<EventView>>() { });
        types.put("snapshot", new TypeReference<SnapshotAnswer>() { });
        types.put("snapshots", new TypeReference<List<SnapshotView>>() { });
        for (Map.Entry<String, TypeReference<?>> t : types.entrySet()) {
            String golden = Files.readString(GOLDEN.resolve(t.getKey() + ".json"));
            Object read = Json.MAPPER.readValue(golden, t.getValue());
            assertThat(DAEMON_JSON.writerWithDefaultPrettyPrinter().writeValueAsString(read) + "\n")
                    .as("%s read by the CLI and written again", t.getKey()).isEqualTo(golden);
        }
    }

    /** README.md's examples: one per main endpoint, each with exactly the structure of the real answer. */
    @Test
    void readmeExamplesHaveTheStructureOfTheRealAnswers() throws Exception {
        Map<String, JsonNode> examples = readmeExamples();
        Map<String, Object> real = new LinkedHashMap<>();
        real.put("plan", planAnswer());
        real.put("apply", applyAnswer());
        real.put("workloads", workloadsAnswer(List.of()));
        real.put("workload", workloadAnswer());
        real.put("reconcile", runAnswer(true));
        real.put("error", errorAnswer());
        assertThat(examples.keySet()).as("README.md's API answers").containsExactlyInAnyOrderElementsOf(real.keySet());
        for (Map.Entry<String, Object> e : real.entrySet()) {
            JsonNode answer = DAEMON_JSON.readTree(DAEMON_JSON.writeValueAsString(e.getValue()));
            List<String> problems = new ArrayList<>();
            sameStructure(e.getKey(), examples.get(e.getKey()), answer, problems);
            assertThat(problems).as("README.md example %s against the real answer", e.getKey()).isEmpty();
        }
    }

    static final Pattern EXAMPLE = Pattern.compile("<!-- api-answer: (\\w+) -->\\s*```json\\n(.*?)```", Pattern.DOTALL);

    static Map<String, JsonNode> readmeExamples() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Matcher m = EXAMPLE.matcher(readme);
        while (m.find()) {
            out.put(m.group(1), DAEMON_JSON.readTree(m.group(2)));
        }
        return out;
    }

    /** Same keys in the same order and the same JSON types, recursively; arrays element by element. */
    static void sameStructure(String at, JsonNode doc, JsonNode real, List<String> problems) {
        if (doc.getNodeType() != real.getNodeType()) {
            problems.add(at + ": README has " + doc.getNodeType() + ", the API " + real.getNodeType());
            return;
        }
        if (doc.isObject()) {
            List<String> dk = new ArrayList<>();
            doc.fieldNames().forEachRemaining(dk::add);
            List<String> rk = new ArrayList<>();
            real.fieldNames().forEachRemaining(rk::add);
            if (!dk.equals(rk)) {
                problems.add(at + ": README keys " + dk + ", the API's " + rk);
                return;
            }
            dk.forEach(k -> sameStructure(at + "." + k, doc.get(k), real.get(k), problems));
        } else if (doc.isArray()) {
            if (doc.size() != real.size()) {
                problems.add(at + ": README has " + doc.size() + " elements, the example answer " + real.size());
                return;
            }
            Iterator<JsonNode> d = doc.elements();
            Iterator<JsonNode> r = real.elements();
            for (int i = 0; d.hasNext(); i++) {
                sameStructure(at + "[" + i + "]", d.next(), r.next(), problems);
            }
        } else if (doc.isNumber() && doc.isIntegralNumber() != real.isIntegralNumber()) {
            problems.add(at + ": README has " + doc + ", the API " + real + " (integer vs decimal)");
        }
    }

    void golden(String name, Object answer) throws IOException {
        String json = DAEMON_JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer) + "\n";
        Path file = GOLDEN.resolve(name + ".json");
        if (Boolean.getBoolean("berth.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, json);
        }
        assertThat(file).as("golden file %s (-Dberth.golden.update=true writes it)", file).exists();
        assertThat(json).as("the API's %s answer against %s", name, file).isEqualTo(Files.readString(file));
    }

    static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }
}
