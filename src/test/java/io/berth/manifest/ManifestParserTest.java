package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.manifest.ContainerSpec.Port;
import io.berth.manifest.ContainerSpec.Protocol;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parser behaviour that the one-mistake-per-file fixtures do not show. */
class ManifestParserTest {

    static final String HEAD = """
            apiVersion: berth.io/v1
            kind: Container
            metadata: {name: %s}
            spec:
              image: nginx
              resources: {limits: {cpu: 1, memory: 1Gi}}
            """;

    private static ManifestParser.ParseResult parse(String text) {
        return new ManifestParser(HostPolicy.DEFAULT).parse(Path.of("m.yaml"), text);
    }

    private static List<String> errors(String text) {
        return parse(text).errors().stream().map(ManifestError::toString).toList();
    }

    @Test
    void aBadDocumentDoesNotSpoilItsNeighbours() {
        ManifestParser.ParseResult r = parse(HEAD.formatted("good") + "---\n" + HEAD.formatted("Bad") + "---\n" + HEAD.formatted("fine"));
        assertThat(r.workloads()).extracting(Workload::name).containsExactly("good", "fine");
        assertThat(r.errors()).extracting(e -> e.origin().line() + " " + e.field()).containsExactly("10 metadata.name");
    }

    @Test
    void allErrorsOfADocumentAreReportedInPositionOrder() {
        List<String> errors = errors("""
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: web}
                spec:
                  image: nginx
                  resources: {limits: {cpu: 1, memory: 1Gi}}
                  ports:
                    - {containerPort: 0}
                    - {containerPort: 80, protocol: sctp}
                  env: [{name: A, value: x}, {name: A, value: y}, {value: z}]
                  volumes: [{name: v, mountPath: /}]
                """);
        assertThat(errors).containsExactly(
                "m.yaml:8:23: spec.ports[0].containerPort: 0 is out of range (valid: 1 to 65535)",
                "m.yaml:9:37: spec.ports[1].protocol: \"sctp\" is not a valid protocol (did you mean \"tcp\"? valid: tcp, udp)",
                "m.yaml:10:37: spec.env[1].name: duplicate environment variable \"A\" (first set at line 10)",
                "m.yaml:10:51: spec.env[2].name: required field is missing",
                "m.yaml:11:20: spec.volumes[0].name: \"v\" is not a valid volume name (valid: at least 2 characters of "
                        + "letters, digits, '_', '.' and '-', starting with a letter or digit, like \"web-data\")",
                "m.yaml:11:34: spec.volumes[0].mountPath: cannot mount a volume over the container's root \"/\"");
    }

    @Test
    void booleansAreOnlyTrueAndFalse() {
        for (String yes : List.of("yes", "on", "True", "TRUE", "1", "y")) {
            assertThat(errors(HEAD.formatted("w") + "  securityContext: {privileged: " + yes + "}\n"))
                    .as(yes).singleElement().asString().contains("is not a boolean (valid: true, false)");
        }
        assertThat(errors(HEAD.formatted("w") + "  securityContext: {privileged: false, readOnlyRootFilesystem: true}\n")).isEmpty();
    }

    @Test
    void privilegedContainersAreDeniedUnlessTheHostPolicyAllowsThem() {
        String text = HEAD.formatted("w") + "  securityContext: {privileged: true}\n";
        assertThat(errors(text)).singleElement().asString()
                .startsWith("m.yaml:7:33: spec.securityContext.privileged: privileged containers are denied by this host's policy")
                .contains("BERTH_ALLOW_PRIVILEGED=true");
        HostPolicy allowing = HostPolicy.of(null, true);
        assertThat(new ManifestParser(allowing).parse(Path.of("m.yaml"), text).errors()).isEmpty();
    }

    @Test
    void integersAreWrittenPlainly() {
        ManifestParser.ParseResult ok = parse(HEAD.formatted("w") + "  ports: [{containerPort: \"80\", hostPort: 8080}]\n");
        assertThat(((ContainerSpec) ok.workloads().get(0).spec()).ports()).containsExactly(new Port(80, 8080, null, Protocol.tcp));
        for (String bad : List.of("080", "0x50", "80.0", "8e1", "1_000", "eighty")) {
            assertThat(errors(HEAD.formatted("w") + "  ports: [{containerPort: " + bad + "}]\n")).as(bad)
                    .singleElement().asString().contains("is not a whole number");
        }
    }

    @Test
    void explicitNullCountsAsAbsentAndQuotedNullIsAString() {
        assertThat(errors(HEAD.formatted("w") + "  env: [{name: A, value: null}]\n")).singleElement().asString()
                .contains("spec.env[0].value: has no value; a value is required");
        Workload w = parse(HEAD.formatted("w") + "  env: [{name: A, value: \"null\"}]\n  command: ~\n  placement:\n").workloads().get(0);
        assertThat(((ContainerSpec) w.spec()).env()).singleElement().extracting(ContainerSpec.EnvVar::value).isEqualTo("null");
        assertThat(((ContainerSpec) w.spec()).command()).isEmpty();
        assertThat(w.placement()).isNull();
    }

    @Test
    void aQuotedNameThatLooksLikeNullIsAName() {
        assertThat(parse(HEAD.formatted("\"null\"")).workloads()).extracting(Workload::name).containsExactly("null");
        assertThat(errors(HEAD.formatted("null"))).singleElement().asString()
                .isEqualTo("m.yaml:3:12: metadata.name: has no value; a value is required");
    }

    @Test
    void wildcardAndSpecificAddressOnTheSamePortClash() {
        String text = HEAD.formatted("w") + """
                  ports:
                    - {containerPort: 80, hostPort: 8080, hostIP: 127.0.0.1}
                    - {containerPort: 81, hostPort: 8080, hostIP: 127.0.0.2}
                    - {containerPort: 82, hostPort: 8080, protocol: udp}
                    - {containerPort: 83, hostPort: 8080}
                """;
        assertThat(errors(text)).singleElement().asString()
                .isEqualTo("m.yaml:11:37: spec.ports[3].hostPort: host port 8080/tcp is already published at line 8 "
                        + "(valid: each hostIP, hostPort and protocol once)");
    }

    @Test
    void kindIsCheckedBeforeKindSpecificFields() {
        String vmWithContainerFields = """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: db}
                spec:
                  resources: {limits: {cpu: 1, memory: 1Gi}}
                  disk: {image: /var/lib/berth/images/i.qcow2}
                  ports: []
                  restartPolicy: Always
                """;
        assertThat(errors(vmWithContainerFields)).containsExactly(
                "m.yaml:7:3: spec.ports: only valid for kind Container",
                "m.yaml:8:3: spec.restartPolicy: only valid for kind Container");
    }

    @Test
    void parsingIsRepeatable() {
        String text = HEAD.formatted("w") + "  labels: {}\n";
        assertThat(parse(text)).isEqualTo(parse(text));
    }
}
