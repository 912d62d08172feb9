package io.berth.manifest;

import static io.berth.manifest.SchemaObject.listOf;
import static io.berth.manifest.SchemaObject.of;
import static io.berth.manifest.SchemaTypes.BOOLEAN;
import static io.berth.manifest.SchemaTypes.NAME;

import java.util.List;
import java.util.Map;

/**
 * {@code kind: Network} and a container's {@code spec.networks} as {@link SchemaObject}s, in the
 * order of {@link NetworkParser}'s key lists. Pure.
 */
final class NetworkSchema {

    static final Map<String, Object> SUBNET = of("type", "string",
            "pattern", "^([0-9]{1,3}\\.){3}[0-9]{1,3}/([89]|1[0-9]|2[0-9])$");

    private NetworkSchema() {
    }

    /** The envelope's kind values: the workload kinds and Network. */
    static Map<String, Object> kinds() {
        List<String> names = new java.util.ArrayList<>(java.util.Arrays.stream(Kind.values()).map(Enum::name).toList());
        names.add(NetworkParser.KIND);
        return of("type", "string", "enum", names);
    }

    static Map<String, Object> kindRule() {
        return of("if", of("properties", of("kind", of("const", NetworkParser.KIND)), "required", List.of("kind")),
                "then", of("properties", of("metadata", SchemaObject.ref("NetworkMetadata"),
                        "spec", SchemaObject.ref("NetworkSpec"))));
    }

    static SchemaObject metadata() {
        return new SchemaObject("The network's identity on this host.")
                .required("name", NAME, "The network's name: a DNS label, unique among networks. Docker's network is "
                        + "berth-<name>.", "backend");
    }

    static SchemaObject spec() {
        return new SchemaObject("A Docker network Berth makes and owns; write spec: {} for all defaults.")
                .optional("subnet", SUBNET, "An IPv4 subnet in CIDR notation (/8 to /29, host bits zero); absent, Berth "
                        + "allocates a /24 from 10.89.0.0/16 that overlaps no Docker network. Changing it recreates the network.",
                        "10.89.1.0/24")
                .optional("internal", BOOLEAN, "No route out: workloads on it reach only each other. Changing it recreates "
                        + "the network.", true);
    }

    static SchemaObject attachment() {
        return new SchemaObject("A network the container joins; it is reachable there by its workload name and these aliases.")
                .required("name", NAME, "The name of a kind: Network in the same manifests or one Berth already runs.", "backend")
                .optional("aliases", listOf(NAME), "More DNS names for the container on this network.", List.of("db"));
    }
}
