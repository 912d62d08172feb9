package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.manifest.ContainerSpec.NetworkAttachment;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kind: Network and spec.networks: parsing, the load-wide name rules, subnets, and the unchanged canonical form. */
class NetworkManifestTest {

    static ManifestLoader.LoadResult load(String yaml) {
        return new ManifestLoader(new ByteArrayInputStream(new byte[0]), HostPolicy.DEFAULT)
                .loadBytes(Path.of("n.yaml"), yaml.getBytes(StandardCharsets.UTF_8));
    }

    static final String DB = """
            apiVersion: berth.io/v1
            kind: Container
            metadata: {name: db}
            spec:
              image: busybox
              resources: {limits: {cpu: 100m, memory: 32Mi}}
            """;

    @Test
    void theValidFixtureGivesTwoNetworksAndAContainerOnBoth() {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(ValidFixturesTest.DIR.resolve("networks.yaml").toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.networks()).extracting(NetworkManifest::name).containsExactly("backend", "frontend");
        assertThat(r.networks().get(0).subnet()).isEqualTo(Cidr.parse("10.89.7.0/24"));
        assertThat(r.networks().get(0).internal()).isTrue();
        assertThat(r.networks().get(1).subnet()).isNull();
        assertThat(r.networks().get(1).internal()).isFalse();
        ContainerSpec db = (ContainerSpec) r.workloads().get(0).spec();
        assertThat(db.networks()).containsExactly(new NetworkAttachment("backend", List.of("database", "pg")),
                new NetworkAttachment("frontend", List.of()));
        // The canonical form carries the networks and reads back equal.
        Workload back = CanonicalForm.fromJson(CanonicalForm.toJson(r.workloads().get(0)), r.workloads().get(0).origin());
        assertThat(back.sameSpec(r.workloads().get(0))).isTrue();
    }

    @Test
    void aContainerOnNoNetworksRecordsAndHashesExactlyAsBefore() {
        Workload w = load(DB).workloads().get(0);
        String json = CanonicalForm.toJson(w);
        assertThat(json).doesNotContain("networks");
        // The hash of this very spec before networks existed (written down from the previous release's canonical form).
        assertThat(json).isEqualTo("{\"apiVersion\":\"berth.io/v1\",\"kind\":\"Container\",\"metadata\":{\"name\":\"db\"},"
                + "\"spec\":{\"resources\":{\"limits\":{\"cpu\":\"100m\",\"memory\":\"32Mi\",\"pids\":4096},"
                + "\"requests\":{\"cpu\":\"100m\",\"memory\":\"32Mi\"}},\"image\":\"busybox\",\"imagePullPolicy\":\"IfNotPresent\","
                + "\"restartPolicy\":\"Always\"}}");
        assertThat(((ContainerSpec) w.spec()).networks()).isEmpty();
    }

    @Test
    void unknownAndDuplicateNamesAreErrorsAtTheirPositions() {
        ManifestLoader.LoadResult r = load("""
                apiVersion: berth.io/v1
                kind: Network
                metadata: {name: backend}
                spec: {}
                ---
                apiVersion: berth.io/v1
                kind: Network
                metadata: {name: backend}
                spec: {internal: true}
                ---
                """ + DB + """
                  networks: [{name: backend, aliases: [x, x]}, {name: nope}, {name: backend}]
                """);
        assertThat(r.errors()).extracting(ManifestError::toString).containsExactly(
                "n.yaml:8:18: metadata.name: duplicate network name \"backend\" (first defined at n.yaml:3:18)",
                "n.yaml:17:43: spec.networks[0].aliases[1]: alias \"x\" is listed twice",
                "n.yaml:17:69: spec.networks[2].name: network \"backend\" is listed twice (first at line 17; valid: each"
                        + " network once, with all its aliases)");
        assertThat(r.workloads()).isEmpty();

        ManifestLoader.LoadResult unknown = load(DB + "  networks: [{name: nope}]\n");
        assertThat(unknown.errors()).extracting(ManifestError::toString).containsExactly("n.yaml:7:21: spec.networks[0].name: "
                + "network \"nope\" is not declared (valid: the name of a kind: Network in the same manifests or one Berth already"
                + " runs; none is declared)");
        // One Berth already runs is fine.
        ManifestLoader.LoadResult existing = new ManifestLoader(new ByteArrayInputStream(new byte[0]), HostPolicy.DEFAULT)
                .withExistingNetworks("nope"::equals)
                .loadBytes(Path.of("n.yaml"), (DB + "  networks: [{name: nope}]\n").getBytes(StandardCharsets.UTF_8));
        assertThat(existing.errors()).isEmpty();
    }

    @Test
    void theDaemonsLoadersRefuseNetworksAtTheirPosition() {
        ManifestLoader.LoadResult r = new ManifestLoader(new ByteArrayInputStream(new byte[0]), HostPolicy.DEFAULT)
                .refusingNetworks(NetworkManifest.DAEMON_REFUSAL).loadBytes(Path.of("n.yaml"),
                        ("apiVersion: berth.io/v1\nkind: Network\nmetadata: {name: backend}\nspec: {}\n---\n" + DB)
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(r.errors()).extracting(ManifestError::toString).containsExactly("n.yaml:1:1: kind: kind: Network \"backend\""
                + " is not applied by agent serve yet (valid there: Container and VirtualMachine on no networks; apply networks"
                + " and the containers on them with agent apply --local)");
        assertThat(r.networks()).isEmpty();
        assertThat(r.workloads()).hasSize(1);
    }

    @Test
    void aNetworkNeedsASpecAndTakesNoLabels() {
        ManifestLoader.LoadResult r = load("""
                apiVersion: berth.io/v1
                kind: Network
                metadata: {name: backend, labels: {a: b}}
                """);
        assertThat(r.errors()).extracting(ManifestError::toString).containsExactly(
                "n.yaml:1:1: spec: required field is missing (write spec: {} for an allocated subnet with a route out)",
                "n.yaml:3:27: metadata.labels: unknown field (valid: name)");
    }

    @Test
    void subnetsParseOverlapAndSayWhatIsValid() {
        assertThat(Cidr.parse("10.89.0.0/16").overlaps(Cidr.parse("10.89.3.0/24"))).isTrue();
        assertThat(Cidr.parse("10.89.2.0/24").overlaps(Cidr.parse("10.89.3.0/24"))).isFalse();
        assertThat(Cidr.parse("172.17.0.0/16").gateway()).isEqualTo("172.17.0.1");
        assertThat(Cidr.lenient("172.17.0.1/16")).isEqualTo(Cidr.parse("172.17.0.0/16"));
        assertThat(Cidr.lenient("fd00::/64")).isNull();
        assertThatThrownBy(() -> Cidr.parse("10.89.0.0/30")).hasMessageContaining("has prefix /30 (valid: an IPv4 network");
        assertThatThrownBy(() -> Cidr.parse("10.300.0.0/16")).hasMessageContaining("octet above 255");
        NetworkManifest n = new NetworkManifest("b", Cidr.parse("10.89.1.0/24"), true, null, null);
        assertThat(NetworkManifest.fromRecorded("b", n.recordedJson()).sameSpec(n)).isTrue();
        assertThat(NetworkManifest.fromRecorded("b", "{}")).isNull();
        assertThat(Map.of()).isEmpty();
    }
}
