package io.berth.manifest;

import io.berth.manifest.ContainerSpec.EnvVar;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Secret values leave Berth's records only as keyed digests, stable per key, different per key, field and workload. */
class RedactionTest {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    final Redaction redaction = new Redaction(() -> KEY);

    static Workload withEnv(String name, EnvVar... env) {
        Workload base = ValidFixturesTest.only("container-minimal.yaml");
        ContainerSpec c = (ContainerSpec) base.spec();
        return new Workload(name, base.labels(), base.resources(), base.placement(),
                new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), List.of(env), c.ports(),
                        c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()), base.origin());
    }

    @Test
    void envValuesAndUserDataBecomeKeyedDigestsAndNothingElseChanges() {
        Workload w = withEnv("web", new EnvVar("PASSWORD", "s3cr3t"), new EnvVar("MODE", "prod"));
        String json = redaction.recordedJson(w);
        assertThat(json).doesNotContain("s3cr3t").doesNotContain("prod").contains("\"name\":\"PASSWORD\"",
                "\"value\":\"hmac-sha256:");
        Workload back = CanonicalForm.fromJson(json, Origin.unknown(Path.of("<label>")));
        assertThat(back.withResources(w.resources()).labels()).isEqualTo(w.labels());
        assertThat(((ContainerSpec) back.spec()).image()).isEqualTo(((ContainerSpec) w.spec()).image());
        assertThat(((ContainerSpec) back.spec()).env()).extracting(EnvVar::value).allMatch(Redaction::isDigest);

        Workload vm = CanonicalFormTest.vm();
        assertThat(((VmSpec) vm.spec()).cloudInit().userData()).contains("hostname: db");
        String vmJson = redaction.recordedJson(vm);
        assertThat(vmJson).doesNotContain("hostname: db").contains("\"userData\":\"hmac-sha256:");
        assertThat(vmJson.replaceAll("hmac-sha256:[0-9a-f]{64}", "X"))
                .isEqualTo(CanonicalForm.toJson(vm).replace("#cloud-config\\nhostname: db\\n", "X"));
    }

    @Test
    void theDigestIsStableAndIdempotentAndDependsOnKeyValueFieldAndWorkload() {
        Workload w = withEnv("web", new EnvVar("A", "same"), new EnvVar("B", "same"));
        Workload once = redaction.redact(w);
        assertThat(redaction.redact(once)).isEqualTo(once);
        assertThat(redaction.redact(w)).isEqualTo(once);
        List<String> values = new ArrayList<>(((ContainerSpec) once.spec()).env().stream().map(EnvVar::value).toList());
        assertThat(values.get(0)).as("same value, other variable").isNotEqualTo(values.get(1));
        assertThat(env(redaction.redact(withEnv("api", new EnvVar("A", "same"))))).as("other workload")
                .isNotEqualTo(values.get(0));
        assertThat(env(redaction.redact(withEnv("web", new EnvVar("A", "Same"))))).as("other value")
                .isNotEqualTo(values.get(0));
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertThat(env(new Redaction(() -> other).redact(withEnv("web", new EnvVar("A", "same"))))).as("other key")
                .isNotEqualTo(values.get(0));
    }

    @Test
    void theSpecHashCoversSecretsWithoutBeingAHashOfTheClearSpec() {
        Workload a = withEnv("web", new EnvVar("PASSWORD", "s3cr3t"));
        Workload b = withEnv("web", new EnvVar("PASSWORD", "s3cr3u"));
        assertThat(redaction.specHash(a)).isNotEqualTo(redaction.specHash(b)).isNotEqualTo(CanonicalForm.specHash(a))
                .isEqualTo(redaction.specHash(redaction.redact(a)));
        Workload plain = ValidFixturesTest.only("container-minimal.yaml");
        assertThat(redaction.specHash(plain)).as("nothing secret: the hash is the canonical one")
                .isEqualTo(CanonicalForm.specHash(plain));
    }

    @Test
    void theKeyIsOnlyAskedForWhenThereIsASecret() {
        AtomicInteger asked = new AtomicInteger();
        Redaction counting = new Redaction(() -> {
            asked.incrementAndGet();
            return KEY;
        });
        Workload plain = ValidFixturesTest.only("container-minimal.yaml");
        assertThat(counting.redact(plain)).isSameAs(plain);
        counting.specHash(plain);
        assertThat(asked).hasValue(0);
        counting.redact(withEnv("web", new EnvVar("A", "x")));
        assertThat(asked).hasValue(1);
    }

    @Test
    void secretPathsAreTheEnvValuesAndTheUserData() {
        assertThat(Redaction.isSecret(Redaction.envPath("PASSWORD"))).isTrue();
        assertThat(Redaction.isSecret("spec.cloudInit.userData")).isTrue();
        assertThat(Redaction.isSecret("spec.env")).as("the names are not secret").isFalse();
        assertThat(Redaction.isSecret("spec.image")).isFalse();
        assertThat(Redaction.isDigest("hmac-sha256:" + "0".repeat(64))).isTrue();
        assertThat(Redaction.isDigest("hmac-sha256:" + "0".repeat(63))).isFalse();
    }

    private static String env(Workload w) {
        return ((ContainerSpec) w.spec()).env().getFirst().value();
    }
}
