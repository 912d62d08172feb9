package io.berth.plan;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Origin;
import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/**
 * Plans for {@code spec.secrets}: the recorded spec (a label's JSON, read back) holds each value's
 * keyed digest, so an unchanged file plans nothing, a rotated one plans a recreate saying "secret
 * changed: NAME", and neither the plan's fields nor its reasons ever hold the value.
 */
class SecretPlanTest {

    static final Redaction REDACTION = Redaction.ephemeral();
    static final String VALUE = "s3cr3t-plan-value";

    static Workload app(String password, String mode) {
        ContainerSpec.Secret pw = new ContainerSpec.Secret("db-password", "/etc/berth/secrets/db-password",
                "/run/secrets/db-password", Integer.parseInt(mode, 8), 0, 0, password);
        ContainerSpec.Secret key = new ContainerSpec.Secret("api-key", "/etc/berth/secrets/api-key", "/etc/app/key",
                0400, 0, 0, "k3y");
        Workload base = PlannerTest.load("base.yaml").stream().filter(w -> w.name().equals("worker")).findFirst().orElseThrow();
        ContainerSpec c = ((ContainerSpec) base.spec()).withSecrets(List.of(pw, key));
        return new Workload(base.name(), base.labels(), base.resources(), base.placement(), c, base.origin());
    }

    /** What the runtime reports: the spec Berth put in the container's label, read back. */
    static Workload recorded(Workload w) {
        return CanonicalForm.fromJson(REDACTION.recordedJson(w), Origin.unknown(Path.of("label")));
    }

    @Test
    void theRecordHoldsDigestsOnlyAndAnUnchangedFilePlansNothing() {
        Workload w = app(VALUE, "0400");
        String json = REDACTION.recordedJson(w);
        assertThat(json).doesNotContain(VALUE, "k3y").contains("\"digest\":\"hmac-sha256:");
        assertThat(REDACTION.specHash(w)).isEqualTo(REDACTION.specHash(recorded(w)));
        assertThat(CanonicalForm.toJson(w)).as("a value read from its file never enters a tree").doesNotContain(VALUE);
        assertThat(w.toString()).doesNotContain(VALUE);
        assertThat(Planner.decide(w, PlannerTest.running(recorded(w)), REDACTION)).isInstanceOf(Action.Unchanged.class);
    }

    @Test
    void aRotatedFileRecreatesSayingWhichSecretChangedButNotTheValue() {
        Workload was = app(VALUE, "0400");
        Action a = Planner.decide(app("n3w-" + VALUE, "0400"), PlannerTest.running(recorded(was)), REDACTION);
        assertThat(a).isInstanceOf(Action.Recreate.class);
        assertThat(a.reason()).isEqualTo("secret changed: db-password");
        assertThat(a.changesList()).extracting(FieldChange::field, FieldChange::from, FieldChange::to)
                .containsExactly(tuple("spec.secrets[db-password].value", "(secret)", "(changed)"));
        assertThat(a.changesList().getFirst().why()).startsWith("secret changed: db-password;");
        assertThat(a.toString()).doesNotContain(VALUE);
    }

    @Test
    void aChangedModeOrAnAddedSecretIsAFieldChangeWithoutValues() {
        Workload was = app(VALUE, "0400");
        Action mode = Planner.decide(app(VALUE, "0440"), PlannerTest.running(recorded(was)), REDACTION);
        assertThat(mode.changesList()).extracting(FieldChange::field, FieldChange::from, FieldChange::to)
                .containsExactly(tuple("spec.secrets[db-password]",
                        "{file: /etc/berth/secrets/db-password, mountPath: /run/secrets/db-password, mode: 0400, uid: 0, gid: 0}",
                        "{file: /etc/berth/secrets/db-password, mountPath: /run/secrets/db-password, mode: 0440, uid: 0, gid: 0}"));
        Workload base = PlannerTest.load("base.yaml").stream().filter(w -> w.name().equals("worker")).findFirst().orElseThrow();
        Action added = Planner.decide(was, PlannerTest.running(base), REDACTION);
        assertThat(added).isInstanceOf(Action.Recreate.class);
        assertThat(added.changesList()).extracting(FieldChange::field, FieldChange::to).contains(
                tuple("spec.secrets[db-password].value", "(secret)"), tuple("spec.secrets[api-key].value", "(secret)"));
        assertThat(added.toString()).doesNotContain(VALUE, "k3y");
    }
}
