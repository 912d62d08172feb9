package io.berth.manifest;

import static io.berth.manifest.SchemaObject.enumOf;
import static io.berth.manifest.SchemaObject.listOf;
import static io.berth.manifest.SchemaObject.of;
import static io.berth.manifest.SchemaObject.ref;
import static io.berth.manifest.SchemaObject.with;
import static io.berth.manifest.SchemaTypes.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest format (CONTRACT §1) as one JSON Schema (draft 2020-12) for both kinds, for editors
 * ({@code # yaml-language-server: $schema=...}) and other tools; {@code agent schema} prints it and
 * the repository ships it as {@code deploy/schema/berth.schema.json}. Every field has a description
 * and an example. The parser stays the authority: the schema checks keys, types, enums and shapes;
 * amounts, uniqueness and host policy are the parser's alone (see {@link SchemaTypes}).
 * {@code ManifestSchemaTest} holds every object's keys equal to the parser's key lists, and runs a
 * real validator over the fixtures. Enum values come from the same enums the parser reads.
 * Pure; the same document on every call.
 */
public final class ManifestSchema {

    private static final String DRAFT = "https://json-schema.org/draft/2020-12/schema";

    private ManifestSchema() {
    }

    /** The schema as pretty-printed JSON, with a final newline. */
    public static String json() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of maps, lists, strings and numbers always serialises
        }
    }

    /** The schema as a tree of maps (in declaration order), lists, strings, numbers and booleans. */
    public static Map<String, Object> document() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("$schema", DRAFT);
        d.put("title", "Berth manifest");
        d.putAll(envelope().build());
        d.put("allOf", List.of(kindRule(Kind.Container, "ContainerSpec"), kindRule(Kind.VirtualMachine, "VirtualMachineSpec"),
                NetworkSchema.kindRule()));
        d.put("$defs", defs());
        return d;
    }

    /** The named objects, by {@code $defs} name: what the key-agreement test walks. */
    static Map<String, SchemaObject> objects() {
        Map<String, SchemaObject> o = new LinkedHashMap<>();
        o.put("Manifest", envelope());
        o.put("Metadata", metadata());
        o.put("Placement", placement());
        o.put("Dependency", dependency());
        o.put("ContainerResources", resources(Kind.Container));
        o.put("ContainerLimits", limits(true));
        o.put("VirtualMachineResources", resources(Kind.VirtualMachine));
        o.put("Limits", limits(false));
        o.put("Requests", requests());
        o.put("ContainerSpec", ContainerSchema.spec());
        o.put("EnvVar", ContainerSchema.envVar());
        o.put("Port", ContainerSchema.port());
        o.put("VolumeMount", ContainerSchema.volume());
        o.put("Secret", ContainerSchema.secret());
        o.put("HealthCheck", ContainerSchema.healthCheck());
        o.put("SecurityContext", ContainerSchema.securityContext());
        o.put("VirtualMachineSpec", VmSchema.spec());
        o.put("Disk", VmSchema.disk());
        o.put("DiskFrom", VmSchema.diskFrom());
        o.put("SnapshotSchedule", VmSchema.snapshots());
        o.put("ImageUrl", VmSchema.imageUrl());
        o.put("Kernel", VmSchema.kernel());
        o.put("CloudInit", VmSchema.cloudInit());
        o.put("Network", VmSchema.network());
        o.put("NetworkMetadata", NetworkSchema.metadata());
        o.put("NetworkSpec", NetworkSchema.spec());
        o.put("NetworkAttachment", NetworkSchema.attachment());
        return o;
    }

    private static Map<String, Object> defs() {
        Map<String, Object> defs = new LinkedHashMap<>();
        objects().forEach((name, o) -> {
            if (!name.equals("Manifest")) {
                defs.put(name, o.build());
            }
        });
        return defs;
    }

    private static Map<String, Object> kindRule(Kind kind, String spec) {
        return of("if", of("properties", of("kind", of("const", kind.name())), "required", List.of("kind")),
                "then", of("properties", of("spec", ref(spec))));
    }

    private static SchemaObject envelope() {
        return new SchemaObject("A workload for Berth to run on this host: a Docker container or a KVM/QEMU virtual machine, "
                + "always under hard CPU and memory limits. One YAML document per workload (separate several with ---).")
                .required("apiVersion", of("type", "string", "const", ManifestParser.API_VERSION),
                        "The manifest format's version; " + ManifestParser.API_VERSION + " is the only one.", ManifestParser.API_VERSION)
                .required("kind", NetworkSchema.kinds(),
                        "What runs: Container (Docker) or VirtualMachine (KVM/QEMU through libvirt); or a Network they share.",
                        "Container")
                .required("metadata", ref("Metadata"), "The workload's name and labels.", null)
                .required("spec", of("type", "object"),
                        "What to run and with which limits; the fields depend on kind.", null);
    }

    private static SchemaObject metadata() {
        return new SchemaObject("The workload's identity on this host.")
                .required("name", NAME, "The workload's name: a DNS label (lowercase letters, digits and '-', at most 63), "
                        + "unique on the host. Renaming means a new workload.", "web")
                .optional("labels", LABELS, "Free-form labels (key: value). Keys are [prefix/]name; io.berth.* and berth.io/ "
                        + "are reserved for Berth's own marks. Values are text of at most 1024 characters.", of("tier", "frontend"));
    }

    static final Map<String, Object> DEPENDS_ON = listOf(ref("Dependency"));
    static final String DEPENDS_ON_TEXT = "Workloads (of the same load) that must reach a condition before this one is started, "
            + "on create, recreate and start; each name once, no cycles. Start order only: changing it restarts nothing.";
    static final List<Object> DEPENDS_ON_EXAMPLE = List.of(of("name", "db", "condition", "healthy"));

    static SchemaObject dependency() {
        return new SchemaObject("A workload to wait for before starting this one.")
                .required("name", NAME, "The workload to wait for, loaded with this one.", "db")
                .optional("condition", enumOf(Dependency.Condition.class, Dependency.Condition.started),
                        "started: it runs; healthy: its health check passes (it needs a healthCheck); completed: it exited 0 "
                                + "(a container with restartPolicy Never or OnFailure).", "healthy");
    }

    static SchemaObject placement() {
        return new SchemaObject("Which hosts run this workload; another host skips it (shared manifests, one repository).")
                .optional("host", HOSTNAME, "Run only on the host with this name (the agent's BERTH_HOST_NAME, "
                        + "else the machine's host name).", "node-a")
                .optional("labels", LABELS, "Run only on hosts that have all of these labels (the agent's BERTH_HOST_LABELS).",
                        of("zone", "eu-1"));
    }

    private static SchemaObject resources(Kind kind) {
        String limits = kind == Kind.Container ? "ContainerLimits" : "Limits";
        return new SchemaObject("Hard limits and the requests admission counts. Berth only runs hard-limited workloads.")
                .required("limits", ref(limits), "The hard ceiling: the workload can never use more CPU or memory than this.",
                        null)
                .optional("requests", ref("Requests"), "What admission counts against the host's capacity; "
                        + "each defaults to its limit and may not exceed it.", null);
    }

    private static SchemaObject limits(boolean container) {
        SchemaObject o = new SchemaObject(container ? "A container's hard limits (cgroup CPU quota, memory without swap, pids)."
                : "A virtual machine's hard limits (vCPU quota and guest memory).")
                .required("cpu", CPU, "CPU in cores (\"2\", \"0.5\") or millicores (\"250m\")"
                        + (container ? "; at least 10m (Docker's smallest quota)." : "; vCPUs are rounded up, the quota is exact."), "500m")
                .required("memory", MEMORY, "Memory: Ki, Mi, Gi, Ti (powers of 1024), K, M, G, T (powers of 1000) or bytes"
                        + (container ? "; at least 6Mi. Swap is off, so this is a hard limit." : "; at least 32Mi."),
                        container ? "256Mi" : "1Gi");
        if (container) {
            o.optional("pids", with(integer(1, ResourcesParser.MAX_PIDS), "default", ResourcesParser.DEFAULT_PIDS),
                    "The most processes the container may have at once (a Berth extension, against fork bombs).", 4096);
        }
        return o;
    }

    private static SchemaObject requests() {
        return new SchemaObject("Requests: what admission reserves on the host; each defaults to its limit.")
                .optional("cpu", CPU, "CPU reserved, at most limits.cpu.", "100m")
                .optional("memory", MEMORY, "Memory reserved, at most limits.memory.", "128Mi");
    }
}
