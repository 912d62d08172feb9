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

    @Test
    void placeSplitsWorkloadsIntoHereAndElsewhereWithWhy() {
        HostIdentity host = new HostIdentity("web-1", Map.of("role", "web"));
        Workload any = workload("any", null);
        Workload web = workload("web", new Placement(null, Map.of("role", "web")));
        Workload db = workload("db", new Placement("db-1", Map.of()));
        HostIdentity.Placed placed = host.place(java.util.List.of(any, db, web));
        assertThat(placed.here()).containsExactly(any, web);
        assertThat(placed.elsewhere()).containsExactly("db: placed on host db-1, not on this host (web-1 {role=web})");
    }

    private static Workload workload(String name, Placement placement) {
        Limits limits = new Limits(100, 32L << 20);
        return new Workload(name, Map.of(), new Resources(limits, limits, 4096), placement,
                new ContainerSpec("img", ContainerSpec.PullPolicy.IfNotPresent, java.util.List.of(), java.util.List.of(),
                        java.util.List.of(), java.util.List.of(), java.util.List.of(), ContainerSpec.RestartPolicy.Always,
                        null, null), null);
    }
}
