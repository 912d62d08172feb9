package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema agrees with the parser: per mapping, the same keys (both directions); the shipped
 * {@code deploy/schema/berth.schema.json} is the generated one; and a real validator (Debian's
 * python3-jsonschema, draft 2020-12 with formats asserted; {@code deploy/host-setup.sh} installs it)
 * accepts the schema against the meta-schema, accepts every manifest in {@code manifests/} and every
 * valid fixture, and rejects every invalid fixture whose mistake a schema can express. The others
 * are listed in {@link #PARSER_ONLY} and {@link #YAML_LEVEL}, each with its reason, and are held to
 * that reason: the schema accepts the former (it does not claim to check them) and the latter have
 * no JSON form at all.
 *
 * <p>Set {@code -Dberth.regenerate=true} to rewrite the shipped schema after changing the model.
 */
class ManifestSchemaTest {

    static final Path SHIPPED = Path.of("deploy/schema/berth.schema.json");
    static final String PYTHON = "/usr/bin/python3"; // Debian's, with python3-jsonschema; not a pyenv shim

    /** Invalid fixtures whose error needs the parser: amounts, uniqueness, cross-field sums, host policy. */
    static final Map<String, String> PARSER_ONLY = new TreeMap<>(Map.ofEntries(
            Map.entry("cpu-below-minimum.yaml", "an amount: 5m is a well-formed CPU quantity, below Docker's 10m minimum"),
            Map.entry("cpu-finer-than-millicore.yaml", "an amount: \"0.0005\" is well-formed, finer than 1m"),
            Map.entry("memory-below-minimum.yaml", "an amount: 4Mi is well-formed, below Docker's 6Mi minimum"),
            Map.entry("vm-memory-below-minimum.yaml", "an amount: 16Mi is well-formed, below a VM's 32Mi minimum"),
            Map.entry("requests-exceed-limits.yaml", "compares two quantities (requests against limits)"),
            Map.entry("timeout-over-interval.yaml", "compares two durations (timeout against interval)"),
            Map.entry("duplicate-env.yaml", "uniqueness of one field across list items (uniqueItems compares whole items)"),
            Map.entry("duplicate-host-port.yaml", "uniqueness of hostIP/hostPort/protocol across ports, with \"all addresses\" clashing"),
            Map.entry("duplicate-mount-path.yaml", "uniqueness of mountPath across volumes, after trailing slashes are dropped"),
            Map.entry("secret-duplicate-name.yaml", "uniqueness of one field across list items (uniqueItems compares whole items)"),
            Map.entry("secret-missing-file.yaml", "the host's files: the secret's file must exist where the apply runs"),
            Map.entry("network-bad-subnet.yaml", "an amount: host bits of a well-formed CIDR"),
            Map.entry("container-unknown-network.yaml", "across documents: the network is declared in another document or runs"),
            Map.entry("disk-image-outside-allowed-dirs.yaml", "host policy: the allowed image directories are the agent's "
                    + "setting (BERTH_IMAGE_DIRS) and symlinks are resolved on the host")));

    /** Invalid fixtures that are not JSON-shaped YAML: any YAML parser (an editor's too) reports them first. */
    static final Map<String, String> YAML_LEVEL = new TreeMap<>(Map.ofEntries(
            Map.entry("complex-key.yaml", "a list as a mapping key has no JSON form"),
            Map.entry("duplicate-key.yaml", "a duplicate key has no JSON form (JSON parsers keep one silently)"),
            Map.entry("tab-indentation.yaml", "YAML syntax error"),
            Map.entry("undefined-alias.yaml", "YAML syntax error"),
            Map.entry("yaml-syntax-error.yaml", "YAML syntax error")));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode schema;

    @BeforeAll
    static void generate() throws IOException {
        schema = JSON.readTree(ManifestSchema.json());
    }

    @Test
    void everyMappingHasTheParsersKeysAndNoOthers() {
        Map<String, List<String>> parser = new LinkedHashMap<>();
        parser.put("Manifest", DocumentParser.ROOT);
        parser.put("Metadata", DocumentParser.METADATA);
        parser.put("Placement", DocumentParser.PLACEMENT);
        parser.put("Dependency", DependsOnParser.ENTRY);
        parser.put("ContainerResources", ResourcesParser.RESOURCES);
        parser.put("ContainerLimits", ResourcesParser.LIMITS);
        parser.put("VirtualMachineResources", ResourcesParser.RESOURCES);
        parser.put("Limits", ResourcesParser.REQUESTS); // a VM's limits: cpu and memory, as ResourcesParser reads them
        parser.put("Requests", ResourcesParser.REQUESTS);
        parser.put("ContainerSpec", DocumentParser.known(Kind.Container));
        parser.put("EnvVar", ContainerSpecParser.ENV);
        parser.put("Port", ContainerSpecParser.PORT);
        parser.put("VolumeMount", ContainerSpecParser.VOLUME);
        parser.put("HealthCheck", ContainerSpecParser.HEALTH);
        parser.put("SecurityContext", ContainerSpecParser.SECURITY);
        parser.put("VirtualMachineSpec", DocumentParser.known(Kind.VirtualMachine));
        parser.put("Disk", VmSpecParser.DISK);
        parser.put("DiskFrom", VmSpecParser.FROM);
        parser.put("SnapshotSchedule", VmSpecParser.SNAPSHOTS);
        parser.put("ImageUrl", VmSpecParser.IMAGE_URL);
        parser.put("Kernel", VmSpecParser.KERNEL);
        parser.put("CloudInit", VmSpecParser.CLOUD_INIT);
        parser.put("Network", VmSpecParser.NETWORK);
        parser.put("NetworkMetadata", NetworkParser.METADATA);
        parser.put("NetworkSpec", NetworkParser.SPEC);
        parser.put("NetworkAttachment", NetworkParser.ATTACHMENT);
        parser.put("Secret", SecretsParser.SECRET);

        Map<String, SchemaObject> objects = ManifestSchema.objects();
        assertThat(objects.keySet()).as("every schema object is paired with a parser key list").isEqualTo(parser.keySet());
        parser.forEach((name, keys) -> assertThat(objects.get(name).keys()).as(name).containsExactlyInAnyOrderElementsOf(keys));
        // And the document really uses them: the properties in the JSON are the declared ones.
        parser.forEach((name, keys) -> {
            JsonNode o = name.equals("Manifest") ? schema : schema.at("/$defs/" + name);
            List<String> names = new ArrayList<>();
            o.get("properties").fieldNames().forEachRemaining(names::add);
            assertThat(names).as(name).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(o.get("additionalProperties").asBoolean(true)).as(name + " is closed").isFalse();
        });
    }

    @Test
    void everyFieldHasADescriptionAndEveryScalarAnExample() {
        List<String> missing = new ArrayList<>();
        JsonNode defs = schema.get("$defs");
        List<Map.Entry<String, JsonNode>> all = new ArrayList<>();
        all.add(Map.entry("Manifest", schema));
        defs.fields().forEachRemaining(all::add);
        for (var e : all) {
            e.getValue().get("properties").fields().forEachRemaining(p -> {
                JsonNode f = p.getValue();
                if (!f.hasNonNull("description") || f.get("description").asText().isBlank()) {
                    missing.add(e.getKey() + "." + p.getKey() + " (description)");
                }
                if (!f.has("$ref") && !f.has("examples") && !"object".equals(f.path("type").asText())) {
                    missing.add(e.getKey() + "." + p.getKey() + " (examples)");
                }
            });
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void theShippedSchemaIsTheGeneratedOne() throws IOException {
        String generated = ManifestSchema.json();
        if (Boolean.getBoolean("berth.regenerate")) {
            Files.createDirectories(SHIPPED.getParent());
            Files.writeString(SHIPPED, generated);
        }
        assertThat(SHIPPED).as("deploy/schema/berth.schema.json is stale: run this test with -Dberth.regenerate=true")
                .hasContent(generated);
    }

    @Test
    void theValidatorAcceptsEveryValidManifestAndRejectsEveryInvalidOneItCanExpress() throws Exception {
        Map<String, JsonNode> docs = new LinkedHashMap<>();
        List<Path> good = new ArrayList<>(new ManifestLoader().load(List.of("manifests", ValidFixturesTest.DIR.toString())).files());
        assertThat(good).hasSizeGreaterThanOrEqualTo(10);
        for (Path f : good) {
            List<JsonNode> d = YamlJson.documents(Files.readString(f));
            for (int i = 0; i < d.size(); i++) {
                docs.put("valid " + f + "#" + i, d.get(i));
            }
        }
        int invalid = 0;
        for (Path f : InvalidFixturesTest.fixtures().toList()) {
            String name = f.getFileName().toString();
            if (YAML_LEVEL.containsKey(name)) {
                assertThatThrownBy(() -> YamlJson.documents(Files.readString(f))).as(name).isInstanceOf(YamlJson.NotJson.class);
                continue;
            }
            List<JsonNode> d = YamlJson.documents(Files.readString(f));
            assertThat(d).as(name).hasSize(1);
            docs.put((PARSER_ONLY.containsKey(name) ? "parser-only " : "invalid ") + f, d.get(0));
            invalid++;
        }
        assertThat(invalid).isGreaterThanOrEqualTo(50);

        Map<String, List<String>> errors = validate(docs);
        Map<String, List<String>> wrong = new TreeMap<>();
        errors.forEach((doc, errs) -> {
            boolean mustReject = doc.startsWith("invalid ");
            if (mustReject == errs.isEmpty()) {
                wrong.put(doc, errs);
            }
        });
        assertThat(wrong).as("valid or parser-only documents the schema rejects, and invalid ones it accepts").isEmpty();
        assertThat(PARSER_ONLY.keySet()).allSatisfy(n -> assertThat(InvalidFixturesTest.DIR.resolve(n)).exists());
        assertThat(YAML_LEVEL.keySet()).allSatisfy(n -> assertThat(InvalidFixturesTest.DIR.resolve(n)).exists());
    }

    @Test
    void editorsSeeYaml12Scalars() {
        // What the validator is fed: an unquoted 1000:1000 is a string in YAML 1.2 (not 1.1's sexagesimal), no is a string.
        JsonNode d = YamlJson.documents("a: 1000:1000\nb: no\nc: 80\nd: \"80\"\ne: 1.5\nf: true\n").get(0);
        assertThat(d.toString()).isEqualTo("{\"a\":\"1000:1000\",\"b\":\"no\",\"c\":80,\"d\":\"80\",\"e\":1.5,\"f\":true}");
    }

    /** Each document's errors from python3-jsonschema, by the document's label. */
    static Map<String, List<String>> validate(Map<String, JsonNode> docs) throws Exception {
        ObjectNode request = JSON.createObjectNode();
        request.set("schema", schema);
        request.putArray("documents").addAll(docs.values());
        Path script = Path.of("src/test/resources/schema/validate.py");
        Process p = new ProcessBuilder(PYTHON, script.toString()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (var in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(request));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python3-jsonschema (install python3-jsonschema): " + err).isZero();
        JsonNode results = JSON.readTree(out);
        Map<String, List<String>> byDoc = new LinkedHashMap<>();
        int i = 0;
        for (String label : docs.keySet()) {
            List<String> errs = new ArrayList<>();
            results.get(i++).forEach(e -> errs.add(e.asText()));
            byDoc.put(label, errs);
        }
        return byDoc;
    }
}
