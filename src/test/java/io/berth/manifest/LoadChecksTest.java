package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules over a whole load: host ports published twice, and dependsOn names, conditions and cycles. */
class LoadChecksTest {

    @TempDir
    Path tmp;

    static String container(String name, String extra) {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: nginx
                  resources: {limits: {cpu: 100m, memory: 64Mi}}
                %s---
                """.formatted(name, extra.indent(2));
    }

    private ManifestLoader.LoadResult load(String... files) throws Exception {
        for (int i = 0; i < files.length; i++) {
            Files.writeString(tmp.resolve((char) ('a' + i) + ".yaml"), files[i]);
        }
        return new ManifestLoader().load(List.of(tmp.toString()));
    }

    private List<String> errors(String... files) throws Exception {
        return load(files).errors().stream().map(ManifestError::toString).toList();
    }

    @Test
    void theSameHostPortInTwoFilesIsAnErrorNamingBothPositions() throws Exception {
        List<String> e = errors(container("web", "ports: [{containerPort: 80, hostPort: 8080}]"),
                container("api", "ports:\n- {containerPort: 81, hostPort: 9000}\n- {containerPort: 80, hostPort: 8080}"));
        assertThat(e).containsExactly(tmp.resolve("b.yaml") + ":9:35: spec.ports[1].hostPort: host port 8080/tcp is also published by "
                + "\"web\" at " + tmp.resolve("a.yaml") + ":7:41 (valid: each host address, port and protocol published by one "
                + "workload; 0.0.0.0 or no hostIP means every address)");
    }

    @Test
    void everyAddressOverlapsAnyAddressButTwoAddressesOrProtocolsDoNot() throws Exception {
        assertThat(errors(container("a", "ports: [{containerPort: 80, hostPort: 80, hostIP: 0.0.0.0}]"),
                container("b", "ports: [{containerPort: 80, hostPort: 80, hostIP: 127.0.0.1}]"))).hasSize(1);
        assertThat(errors(container("c", "ports: [{containerPort: 80, hostPort: 81, hostIP: 127.0.0.1}]"),
                container("d", "ports: [{containerPort: 80, hostPort: 81}]"))).singleElement().asString()
                .contains("host port 81/tcp is also published by \"c\"");
    }

    @Test
    void distinctAddressesOrProtocolsOrUnpublishedPortsAreFine() throws Exception {
        ManifestLoader.LoadResult r = load(container("a", "ports: [{containerPort: 80, hostPort: 80, hostIP: 127.0.0.1}]"),
                container("b", "ports: [{containerPort: 80, hostPort: 80, hostIP: 127.0.0.2}, {containerPort: 53, hostPort: 80, protocol: udp}]"),
                container("c", "ports: [{containerPort: 80}]"), container("d", "ports: [{containerPort: 80}]"));
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).hasSize(4);
    }

    @Test
    void dependsOnIsReadWithItsDefaultCondition() throws Exception {
        ManifestLoader.LoadResult r = load(container("db", "healthCheck: {command: [\"true\"]}"),
                container("app", "dependsOn: [{name: db, condition: healthy}, {name: cache}]"), container("cache", ""));
        assertThat(r.errors()).isEmpty();
        Workload app = r.workloads().stream().filter(w -> w.name().equals("app")).findFirst().orElseThrow();
        assertThat(app.dependsOn()).containsExactly(new Dependency("db", Dependency.Condition.healthy),
                new Dependency("cache", Dependency.Condition.started));
        assertThat(DependencyGraph.startOrder(r.workloads())).containsExactly("db", "cache", "app");
    }

    @Test
    void dependsOnChangesNeitherTheSpecHashNorEquality() throws Exception {
        Workload plain = load(container("app", "")).workloads().getFirst();
        Files.delete(tmp.resolve("a.yaml"));
        Workload with = load(container("app", "dependsOn: [{name: app2}]"), container("app2", "")).workloads().getFirst();
        assertThat(with.dependsOn()).hasSize(1);
        assertThat(CanonicalForm.specHash(with)).isEqualTo(CanonicalForm.specHash(plain));
        assertThat(CanonicalForm.toJson(with)).isEqualTo(CanonicalForm.toJson(plain));
        assertThat(with.sameSpec(plain)).isTrue();
        // What a daemon keeps of an API apply carries it, and reads it back.
        String stored = JsonWriter.write(CanonicalForm.toStoredTree(with));
        assertThat(CanonicalForm.fromJson(stored, Origin.unknown(Path.of("api"))).dependsOn()).isEqualTo(with.dependsOn());
        assertThat(JsonWriter.write(CanonicalForm.toStoredTree(plain))).isEqualTo(CanonicalForm.toJson(plain));
    }

    @Test
    void unknownSelfAndBadConditionsAreErrorsAtTheEntry() throws Exception {
        List<String> e = errors(container("app", """
                dependsOn:
                - {name: nope}
                - {name: app}"""), container("web", ""), container("once", "restartPolicy: Never"));
        String f = tmp.resolve("a.yaml").toString();
        assertThat(e).containsExactly(
                f + ":8:12: spec.dependsOn[0].name: unknown workload \"nope\" (valid: a workload loaded with it: once, web)",
                f + ":9:12: spec.dependsOn[1].name: a workload cannot depend on itself (valid: another workload's name)");
        List<String> syntax = errors(container("app", """
                dependsOn:
                - {name: web, condition: healthy}
                - {name: web, condition: completed}
                - {name: once, condition: ready}"""), container("web", ""), container("once", "restartPolicy: Never"));
        assertThat(syntax).containsExactly(
                f + ":9:12: spec.dependsOn[1].name: duplicate dependency \"web\" (first at line 8; valid: each name once)",
                f + ":10:29: spec.dependsOn[2].condition: \"ready\" is not a valid condition (valid: started, healthy, completed)");
        List<String> conditions = errors(container("app", "dependsOn: [{name: web, condition: healthy}, {name: db, condition: completed}]"),
                container("web", ""), container("db", ""));
        assertThat(conditions).containsExactly(
                tmp.resolve("a.yaml") + ":7:22: spec.dependsOn[0].name: \"web\" has no health check, so it never becomes healthy "
                        + "(valid: condition started, or give web a spec.healthCheck)",
                tmp.resolve("a.yaml") + ":7:55: spec.dependsOn[1].name: \"db\" has restartPolicy Always, so it never completes "
                        + "(valid: condition started, or restartPolicy Never or OnFailure for db)");
    }

    @Test
    void aCycleIsNamedWholeOnceAtTheFirstLoadedMember() throws Exception {
        List<String> e = errors(container("a", "dependsOn: [{name: b}]"), container("b", "dependsOn: [{name: c}]"),
                container("c", "dependsOn: [{name: a}]"), container("d", "dependsOn: [{name: a}]"));
        assertThat(e).containsExactly(tmp.resolve("a.yaml") + ":7:22: spec.dependsOn[0].name: dependency cycle a -> b -> c -> a "
                + "(valid: an order without cycles; remove one of these dependsOn entries)");
    }

    @Test
    void twoWorkloadsWaitingForEachOtherAreACycleToo() throws Exception {
        List<String> e = errors(container("x", "dependsOn: [{name: y}]") + container("y", "dependsOn: [{name: x}]"));
        assertThat(e).singleElement().asString().contains("dependency cycle x -> y -> x");
    }
}
