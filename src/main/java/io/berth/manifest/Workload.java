package io.berth.manifest;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One validated, normalised workload from a manifest: defaults are filled in and quantities are
 * parsed, so two manifests that mean the same thing give equal records. Immutable.
 *
 * @param name     the DNS-label name, unique on a host
 * @param labels   the user's labels (sorted)
 * @param resources limits and requests
 * @param placement host selection, or null for "any host"
 * @param spec     the kind-specific part
 * @param origin   where the document starts (not part of equality of meaning; see {@link #sameSpec})
 * @param positions where each field's value was written, by dotted path ({@code spec.disk.size}); empty
 *                  for a workload not read from a manifest file (a recorded spec). Not part of equality.
 * @param dependsOn what must reach its condition before this one starts ({@code spec.dependsOn}); empty
 *                  when absent. Start order, not runtime spec: not part of equality nor of the spec hash, so
 *                  a recorded workload (which never carries it) still equals the manifest it came from.
 */
public record Workload(String name, Map<String, String> labels, Resources resources, Placement placement,
                       WorkloadSpec spec, Origin origin, Map<String, Origin> positions, List<Dependency> dependsOn) {

    public Workload {
        positions = positions == null ? Map.of() : Map.copyOf(positions);
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /** Without dependencies. */
    public Workload(String name, Map<String, String> labels, Resources resources, Placement placement,
                    WorkloadSpec spec, Origin origin, Map<String, Origin> positions) {
        this(name, labels, resources, placement, spec, origin, positions, List.of());
    }

    /** Without field positions (built in code, or read back from a record). */
    public Workload(String name, Map<String, String> labels, Resources resources, Placement placement,
                    WorkloadSpec spec, Origin origin) {
        this(name, labels, resources, placement, spec, origin, Map.of());
    }

    /** Where {@code field} was written, else where the document starts: where an error about it points. */
    public Origin at(String field) {
        return positions.getOrDefault(field, origin);
    }

    /** Positions say where, not what: two reads of the same manifest at other lines are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Workload w && sameSpec(w) && Objects.equals(origin, w.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, labels, resources, placement, spec, origin);
    }

    public Kind kind() {
        return switch (spec) {
            case ContainerSpec c -> Kind.Container;
            case VmSpec v -> Kind.VirtualMachine;
        };
    }

    /** Equality of everything the user declared, ignoring where it was read from. */
    public boolean sameSpec(Workload other) {
        return name.equals(other.name) && labels.equals(other.labels) && resources.equals(other.resources)
                && Objects.equals(placement, other.placement) && spec.equals(other.spec);
    }

    public Workload withResources(Resources r) {
        return new Workload(name, labels, r, placement, spec, origin, positions, dependsOn);
    }
}
