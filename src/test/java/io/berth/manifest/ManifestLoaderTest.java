package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ManifestLoaderTest {

    static final Path FIXTURES = Path.of("src/test/resources/manifests");
    static final String VALID = """
            apiVersion: berth.io/v1
            kind: Container
            metadata: {name: %s}
            spec: {image: nginx, resources: {limits: {cpu: 100m, memory: 64Mi}}}
            """;

    @TempDir
    Path tmp;

    @Test
    void duplicateNamesAcrossFilesAreReportedAtTheLaterOneNamingTheFirst() {
        Path dir = FIXTURES.resolve("duplicate-names");
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(dir.toString()));
        assertThat(r.errors()).extracting(ManifestError::toString).containsExactly(
                dir.resolve("b.yaml") + ":4:18: metadata.name: duplicate workload name \"web\" (first defined at "
                        + dir.resolve("a.yaml") + ":4:9)");
        assertThat(r.workloads()).extracting(Workload::name).containsExactly("web", "other");
        assertThat(r.workloads().get(0).kind()).isEqualTo(Kind.Container);
    }

    @Test
    void duplicateNamesWithinOneFileToo() throws Exception {
        Path f = Files.writeString(tmp.resolve("two.yaml"), VALID.formatted("x") + "---\n" + VALID.formatted("x"));
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(f.toString()));
        assertThat(r.errors()).extracting(ManifestError::toString)
                .containsExactly(f + ":8:18: metadata.name: duplicate workload name \"x\" (first defined at " + f + ":3:18)");
    }

    @Test
    void missingPathIsAnErrorNamingIt() {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(tmp.resolve("nope.yaml").toString()));
        assertThat(r.errors()).extracting(ManifestError::toString)
                .containsExactly(tmp.resolve("nope.yaml") + ":1:1: no such file or directory");
        assertThat(r.files()).isEmpty();
    }

    @Test
    void dashReadsStandardInputAsStdin() {
        byte[] in = VALID.formatted("from-stdin").replace("spec: {", "spec: {bogus: 1, ").getBytes(StandardCharsets.UTF_8);
        ManifestLoader.LoadResult r = new ManifestLoader(new ByteArrayInputStream(in)).load(List.of("-"));
        assertThat(r.files()).containsExactly(Path.of("<stdin>"));
        assertThat(r.errors()).extracting(ManifestError::toString)
                .containsExactly("<stdin>:4:8: spec.bogus: unknown field (valid: image, imagePullPolicy, command, args, env, "
                        + "ports, volumes, restartPolicy, healthCheck, securityContext, networks, secrets, resources, placement, dependsOn)");
    }

    @Test
    void stdinWorks() {
        byte[] in = VALID.formatted("from-stdin").getBytes(StandardCharsets.UTF_8);
        ManifestLoader.LoadResult r = new ManifestLoader(new ByteArrayInputStream(in)).load(List.of("-"));
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).singleElement().satisfies(w -> assertThat(w.origin().file()).isEqualTo(Path.of("<stdin>")));
    }

    @Test
    void errorsAreSortedByFileInReadOrderThenLineAndColumn() throws Exception {
        Path b = Files.writeString(tmp.resolve("b.yaml"), "apiVersion: v2\nkind: Nope\n");
        Path a = Files.writeString(tmp.resolve("a.yaml"), "kind: Container\nx: 1\napiVersion: v0\n");
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(b.toString(), a.toString()));
        assertThat(r.errors()).extracting(e -> e.origin().file().getFileName() + ":" + e.origin().line() + ":" + e.origin().column())
                .containsExactly("b.yaml:1:1", "b.yaml:1:1", "b.yaml:1:13", "b.yaml:2:7",
                        "a.yaml:1:1", "a.yaml:1:1", "a.yaml:2:1", "a.yaml:3:13");
    }

    @Test
    void aFileNamedTwiceIsReadOnce() throws Exception {
        Path f = Files.writeString(tmp.resolve("web.yaml"), VALID.formatted("web"));
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(tmp.toString(), f.toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.files()).containsExactly(f);
        assertThat(r.workloads()).hasSize(1);
    }

    @Test
    @Timeout(10)
    void symlinkLoopsAreNotFollowedForever() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve("web.yaml"), VALID.formatted("web"));
        Files.createSymbolicLink(dir.resolve("loop"), dir);
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(dir.toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).extracting(Workload::name).containsExactly("web");
    }

    @Test
    void emptyFileAndEmptyDirectoryGiveNothingAndNoError() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.yaml"), "# nothing yet\n");
        Path dir = Files.createDirectories(tmp.resolve("none"));
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(empty.toString(), dir.toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).isEmpty();
        assertThat(r.files()).containsExactly(empty);
    }

    @Test
    void loadBytesAppliesTheSameChecks() {
        ManifestLoader loader = new ManifestLoader();
        assertThat(loader.loadBytes(Path.of("<request>"), VALID.formatted("x").getBytes(StandardCharsets.UTF_8)).workloads())
                .hasSize(1);
        assertThat(loader.loadBytes(Path.of("<request>"), new byte[] {'a', 0, 'b'}).errors())
                .extracting(ManifestError::toString).containsExactly("<request>:1:2: not a text file (NUL byte at byte 1)");
    }

    @Test
    void errorToStringIsFileLineColFieldMessage() {
        ManifestError e = new ManifestError(new Origin(Path.of("web.yaml"), 7, 14), "spec.resources.limits.cpu",
                "\"half\" is not a CPU quantity (valid: cores like \"2\", \"0.25\", or millicores like \"250m\")");
        assertThat(e).hasToString("web.yaml:7:14: spec.resources.limits.cpu: \"half\" is not a CPU quantity "
                + "(valid: cores like \"2\", \"0.25\", or millicores like \"250m\")");
        assertThat(new ManifestError(new Origin(Path.of("web.yaml"), 3, 1), "", "bad YAML")).hasToString("web.yaml:3:1: bad YAML");
    }

    @Test
    void editorLeftoversAreNotManifests() {
        for (String name : List.of("web.yaml~", "web.yaml.swp", ".web.yaml.swp", "web.swo", "web.swx", "#web.yaml#",
                ".#web.yaml", "web.bak", "web.yaml.orig", "web.tmp", ".hidden.yaml", "notes.txt", "web.json")) {
            assertThat(ManifestLoader.isManifestName(name)).as(name).isFalse();
        }
        for (String name : List.of("web.yaml", "web.yml", "WEB.YAML", "a.b.yaml")) {
            assertThat(ManifestLoader.isManifestName(name)).as(name).isTrue();
        }
    }
}
