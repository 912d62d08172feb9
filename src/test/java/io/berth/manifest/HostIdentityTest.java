package io.berth.manifest;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostIdentityTest {

    final HostIdentity nodeA = new HostIdentity("node-a", Map.of("zone", "eu", "disk", "ssd"));

    @Test
    void aWorkloadWithoutPlacementRunsEverywhere() {
        assertThat(nodeA.accepts(null)).isTrue();
    }

    @Test
    void theHostNameAndEveryLabelMustMatch() {
        assertThat(nodeA.accepts(new Placement("node-a", Map.of()))).isTrue();
        assertThat(nodeA.accepts(new Placement("node-b", Map.of()))).isFalse();
        assertThat(nodeA.accepts(new Placement(null, Map.of("zone", "eu")))).isTrue();
        assertThat(nodeA.accepts(new Placement(null, Map.of("zone", "eu", "disk", "hdd")))).isFalse();
        assertThat(nodeA.accepts(new Placement("node-a", Map.of("gpu", "yes")))).isFalse();
        assertThat(nodeA.why(new Placement("node-b", Map.of()))).isEqualTo("placed on host node-b, not on this host (node-a "
                + nodeA.labels() + ")");
    }

    @Test
    void labelsAreParsedFromKeyValuePairs() {
        assertThat(HostIdentity.parseLabels(" zone=eu, disk=ssd ")).containsExactly(Map.entry("zone", "eu"), Map.entry("disk", "ssd"));
        assertThat(HostIdentity.parseLabels("")).isEmpty();
        assertThatThrownBy(() -> HostIdentity.parseLabels("zone")).hasMessageContaining("\"zone\" is not key=value");
    }
}
