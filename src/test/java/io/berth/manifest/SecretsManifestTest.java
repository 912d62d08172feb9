package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.manifest.ContainerSpec.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.secrets as the loader reads it: paths resolved, defaults filled, each file's value read in. */
class SecretsManifestTest {

    @Test
    void theValidFixtureResolvesRelativeFilesAgainstTheManifestsDirectoryAndReadsThem() {
        Workload w = ValidFixturesTest.only("container-secrets.yaml");
        Path dir = ValidFixturesTest.DIR.toAbsolutePath().normalize();
        assertThat(((ContainerSpec) w.spec()).secrets()).containsExactly(
                new Secret("db-password", dir.resolve("secrets/db-password").toString(), "/run/secrets/db-password", 0440,
                        1000, 1000, "s3cr3t-fixture\n"),
                new Secret("api-key", dir.resolve("secrets/api-key").toString(), "/etc/app/api-key", 0400, 0, 0, "key-bytes"));
        assertThat(CanonicalForm.toJson(w)).contains("\"mode\":\"0440\"").doesNotContain("s3cr3t-fixture");
    }

    @Test
    void anyBytesRoundTripAndAnEditedFileIsReadAtTheNextLoad(@TempDir Path dir) throws Exception {
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 10, 'x'};
        Files.write(dir.resolve("key"), binary);
        Files.writeString(dir.resolve("app.yaml"), """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: app}
                spec:
                  image: berth/busybox:1
                  resources: {limits: {cpu: 100m, memory: 32Mi}}
                  secrets: [{name: key, file: key, mountPath: /run/secrets/key}]
                """);
        Secret s = only(dir);
        assertThat(s.bytes()).isEqualTo(binary);
        assertThat(s.toString()).doesNotContain("x").contains("content=(secret)");
        Files.writeString(dir.resolve("key"), "rotated");
        assertThat(new String(only(dir).bytes())).isEqualTo("rotated");
    }

    @Test
    void aRecordedSpecKeepsTheDigestAndTheRecordIsRedactedAgainUnchanged() {
        Workload w = ValidFixturesTest.only("container-secrets.yaml");
        Redaction r = Redaction.ephemeral();
        Workload back = CanonicalForm.fromJson(r.recordedJson(w), Origin.unknown(Path.of("label")));
        Secret recorded = ((ContainerSpec) back.spec()).secrets().getFirst();
        assertThat(Redaction.isDigest(recorded.content())).isTrue();
        assertThat(r.recordedJson(back)).isEqualTo(r.recordedJson(w));
    }

    private static Secret only(Path dir) {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(dir.toString()));
        assertThat(r.errors()).isEmpty();
        return ((ContainerSpec) r.workloads().getFirst().spec()).secrets().getFirst();
    }
}
