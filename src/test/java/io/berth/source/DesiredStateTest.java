package io.berth.source;

import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DesiredStateTest {

    @TempDir
    Path state;

    final Map<String, Workload> directory = new HashMap<>();

    DesiredState desired() {
        DesiredState d = new DesiredState("/etc/berth/manifests", () -> Map.copyOf(directory), state);
        d.load();
        return d;
    }

    static Workload w(String name, String memory) {
        String yaml = """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: berth/busybox:1
                  resources: {limits: {cpu: "0.1", memory: %s}}
                """.formatted(name, memory);
        return new ManifestLoader().loadBytes(Path.of(name + ".yaml"), yaml.getBytes(StandardCharsets.UTF_8)).workloads().getFirst();
    }

    @Test
    void appliedSourcesSurviveARestartAndReportWhatChanged() {
        DesiredState d = desired();
        assertThat(d.apply(Map.of("/src/a", List.of(w("a1", "64Mi"), w("a2", "64Mi"))), false)).containsExactlyInAnyOrder("a1", "a2");
        assertThat(d.apply(Map.of("/src/a", List.of(w("a1", "64Mi"), w("a2", "96Mi"))), false)).containsExactly("a2");

        DesiredState restarted = desired();
        assertThat(restarted.find("a2").source()).isEqualTo("/src/a");
        assertThat(restarted.find("a2").workload().resources().limits().memoryBytes()).isEqualTo(96L << 20);
        assertThat(restarted.knows("/src/a")).isTrue();
        assertThat(restarted.knows("/src/other")).isFalse();
    }

    @Test
    void anApplyOfSeveralSourcesThatCannotRecordOneRecordsNone() throws Exception {
        DesiredState d = desired();
        d.apply(Map.of("/src/a", List.of(w("a1", "64Mi")), "/src/b", List.of(w("b1", "64Mi"))), false);
        // /src/b's record cannot be written (its temporary file's name is held by a directory).
        java.nio.file.Files.createDirectories(state.resolve("sources").resolve("." + DesiredState.fileName("/src/b") + ".tmp/x"));
        Map<String, List<Workload>> both = new java.util.TreeMap<>(Map.of("/src/a", List.of(w("a1", "96Mi")),
                "/src/b", List.of(w("b1", "96Mi"))));
        assertThatThrownBy(() -> d.apply(both, false)).isInstanceOf(DesiredState.Unrecorded.class)
                .hasMessageContaining("nothing was changed");
        assertThat(d.find("a1").workload().resources().limits().memoryBytes()).as("in force").isEqualTo(64L << 20);
        DesiredState restarted = desired();
        assertThat(restarted.find("a1").workload().resources().limits().memoryBytes())
                .as("recorded: the other source's failure left this one unwritten too").isEqualTo(64L << 20);
        assertThat(restarted.find("b1").workload().resources().limits().memoryBytes()).isEqualTo(64L << 20);
    }

    @Test
    void withoutPruneASourceGrowsWithPruneItIsReplacedAndStaysKnownWhenEmpty() {
        DesiredState d = desired();
        d.apply(Map.of("s", List.of(w("x", "64Mi"))), false);
        d.apply(Map.of("s", List.of(w("y", "64Mi"))), false);
        assertThat(d.source("s")).containsOnlyKeys("x", "y");
        assertThat(d.apply(Map.of("s", List.of()), true)).containsExactlyInAnyOrder("x", "y");
        assertThat(d.source("s")).isEmpty();
        assertThat(desired().knows("s")).isTrue();
    }

    @Test
    void aNameDeclaredByAnotherSourceIsAConflictAndNothingIsRecorded() {
        directory.put("web", w("web", "64Mi"));
        DesiredState d = desired();
        d.apply(Map.of("one", List.of(w("db", "64Mi"))), false);
        assertThatThrownBy(() -> d.apply(Map.of("two", List.of(w("new", "64Mi"), w("web", "64Mi"), w("db", "64Mi"))), false))
                .isInstanceOf(DesiredState.Conflict.class)
                .hasMessageContaining("web.yaml:1:1: web is already declared by source /etc/berth/manifests")
                .hasMessageContaining("db is already declared by source one");
        assertThat(d.find("new")).isNull();
        assertThatThrownBy(() -> d.apply(Map.of("/etc/berth/manifests", List.of(w("z", "64Mi"))), false))
                .hasMessageContaining("is the watched manifest directory");
    }

    @Test
    void removeTakesAWorkloadOutOfItsApiSourceButNotOutOfTheDirectory() {
        directory.put("web", w("web", "64Mi"));
        DesiredState d = desired();
        d.apply(Map.of("one", List.of(w("db", "64Mi"))), false);
        assertThat(d.remove("db")).isEqualTo("one");
        assertThat(desired().find("db")).isNull();
        assertThat(d.remove("ghost")).isNull();
        assertThatThrownBy(() -> d.remove("web")).isInstanceOf(DesiredState.Conflict.class)
                .hasMessageContaining("remove it from its file there");
    }

    @Test
    void aNameMovesBetweenSourcesWhenItsOwnerIsRewrittenWithoutItInTheSameChange() {
        DesiredState d = desired();
        d.apply(Map.of("git:file:///old.git", List.of(w("web", "64Mi"))), true);
        // The git source's URL changed: the old source is emptied and the new one takes the name, at once.
        Map<String, List<Workload>> change = new java.util.LinkedHashMap<>();
        change.put("git:file:///old.git", List.of());
        change.put("git:file:///new.git", List.of(w("web", "64Mi")));
        d.apply(change, true);
        assertThat(d.find("web").source()).isEqualTo("git:file:///new.git");
        assertThat(d.source("git:file:///old.git")).isEmpty();
        assertThat(d.knows("git:file:///old.git")).isTrue();
        // Without prune (a merge), the old owner keeps its names: still a conflict.
        assertThatThrownBy(() -> d.apply(Map.of("other", List.of(w("web", "64Mi")), "git:file:///new.git", List.of()), false))
                .isInstanceOf(DesiredState.Conflict.class);
    }

    @Test
    void aWorkloadOfTheGitSourceCannotBeDeletedThroughTheApi() {
        DesiredState d = desired();
        d.apply(Map.of("git:https://example.com/fleet.git", List.of(w("web", "64Mi"))), true);
        assertThatThrownBy(() -> d.remove("web")).isInstanceOf(DesiredState.Conflict.class)
                .hasMessageContaining("declared by the git source https://example.com/fleet.git")
                .hasMessageContaining("remove it from the repository");
        assertThat(d.find("web")).isNotNull();
    }

    static Workload privileged(String name) {
        String yaml = """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: berth/busybox:1
                  resources: {limits: {cpu: "0.1", memory: 32Mi}}
                  securityContext: {privileged: true}
                """.formatted(name);
        return new ManifestLoader(java.io.InputStream.nullInputStream(), io.berth.manifest.HostPolicy.ANY)
                .loadBytes(Path.of(name + ".yaml"), yaml.getBytes(StandardCharsets.UTF_8)).workloads().getFirst();
    }

    @Test
    void aRecordedWorkloadThatFailsTheCurrentPolicyIsRefusedAtLoadAndReportedTheOthersAreNot() {
        DesiredState before = desired();
        before.apply(Map.of("/src/ops", List.of(privileged("agent-x"), w("web", "64Mi"))), true);

        List<String> events = new java.util.ArrayList<>();
        DesiredState d = new DesiredState("/etc/berth/manifests", () -> Map.copyOf(directory), state);
        d.load(io.berth.manifest.HostPolicy.of(null, false), (name, type, message) -> events.add(name + " " + type + " " + message));

        assertThat(d.refused("agent-x")).contains("refused by this host's policy", "spec.securityContext.privileged",
                "privileged containers are denied", "left running");
        assertThat(d.refused("web")).isNull();
        assertThat(d.find("agent-x")).as("still declared: nothing is pruned for it").isNotNull();
        assertThat(d.knows("/src/ops")).isTrue();
        assertThat(events).singleElement().satisfies(e -> assertThat(e).startsWith("agent-x PolicyRefused source /src/ops: ")
                .contains("privileged"));

        // Applied again (through the API, so under the current policy) without the offender: no longer refused.
        d.apply(Map.of("/src/ops", List.of(w("agent-x", "64Mi"), w("web", "64Mi"))), true);
        assertThat(d.refused("agent-x")).isNull();

        DesiredState allowed = new DesiredState("/etc/berth/manifests", () -> Map.copyOf(directory), state);
        before.apply(Map.of("/src/ops", List.of(privileged("agent-x"))), true);
        allowed.load(io.berth.manifest.HostPolicy.of(null, true), (n, t, m) -> events.add(t));
        assertThat(allowed.refused("agent-x")).as("a host that allows it").isNull();
    }

    @Test
    void aRecordedSourceKeepsNoSecretValueAndReadsItsFilesAgainAtLoadAndAnUnreadableOneIsRefused(@TempDir Path files)
            throws Exception {
        Path secret = files.resolve("db-password");
        java.nio.file.Files.writeString(secret, "s3cr3t-at-load");
        String yaml = """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: db}
                spec:
                  image: berth/busybox:1
                  resources: {limits: {cpu: "0.1", memory: 64Mi}}
                  secrets: [{name: pw, file: %s, mountPath: /run/secrets/pw}]
                """.formatted(secret);
        Workload db = new ManifestLoader().loadBytes(files.resolve("db.yaml"), yaml.getBytes(StandardCharsets.UTF_8)).workloads().getFirst();
        desired().apply(Map.of("/src/app", List.of(db)), true);
        try (var recorded = java.nio.file.Files.list(state.resolve("sources"))) {
            for (Path f : recorded.toList()) {
                assertThat(java.nio.file.Files.readString(f)).as("recorded source " + f).doesNotContain("s3cr3t-at-load");
            }
        }

        java.nio.file.Files.writeString(secret, "rotated-while-down");
        DesiredState restarted = desired();
        assertThat(restarted.refused("db")).isNull();
        assertThat(((io.berth.manifest.ContainerSpec) restarted.find("db").workload().spec()).secrets().getFirst().bytes())
                .asString(StandardCharsets.ISO_8859_1).isEqualTo("rotated-while-down");

        java.nio.file.Files.delete(secret);
        List<String> events = new java.util.ArrayList<>();
        DesiredState missing = new DesiredState("/etc/berth/manifests", () -> Map.copyOf(directory), state);
        missing.load(io.berth.manifest.HostPolicy.of(null, false), (name, type, message) -> events.add(name + " " + type + " " + message));
        assertThat(missing.refused("db")).contains("secret \"pw\"", "cannot read " + secret, "no such file");
        assertThat(missing.find("db")).as("still declared: nothing is pruned for it").isNotNull();
        assertThat(events).singleElement().satisfies(e -> assertThat(e).startsWith("db SecretUnreadable source /src/app: "));
    }
}
