package io.berth.backup;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Origin;
import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spec.yaml} of an archive: the recorded spec as a manifest that parses back to the same
 * workload, without the cloud-init user data (recorded only as a digest, never a value to restore).
 */
class BackupManifestTest {

    @Test
    void theRecordedSpecBecomesAManifestWithoutItsSecretUserData() {
        Workload w = Manifests.one(Manifests.tinyVmYaml("db", "1", "128Mi", "")
                + "  cloudInit: {userData: \"#cloud-config\\npassword: hunter2\\n\"}\n");
        Workload recorded = Redaction.ephemeral().redact(w);
        List<String> notes = new ArrayList<>();
        String yaml = BackupOps.manifest(recorded, notes);

        assertThat(yaml).contains("kind: VirtualMachine", "name: db", "base-64m.qcow2")
                .doesNotContain("cloudInit", "hunter2", Redaction.PREFIX);
        assertThat(notes).singleElement().asString().contains("spec.cloudInit.userData is a secret");
        Workload back = CanonicalForm.fromJson(yaml, Origin.unknown(Path.of("spec.yaml")));
        Workload withoutUserData = Manifests.one(Manifests.tinyVmYaml("db", "1", "128Mi", ""));
        assertThat(back.sameSpec(withoutUserData)).as(yaml).isTrue();

        List<String> none = new ArrayList<>();
        BackupOps.manifest(withoutUserData, none);
        assertThat(none).isEmpty();
    }
}
