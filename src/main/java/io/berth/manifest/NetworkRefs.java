package io.berth.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The load-wide rules of networks: a network name is declared once, and every name a workload's
 * {@code spec.networks} uses is a network of the same load or one Berth already runs. A workload
 * naming an unknown network is an error at the name's file:line:col, and is not loaded. Pure.
 */
final class NetworkRefs {

    private NetworkRefs() {
    }

    /** The networks, each name once; a second declaration is an error naming the first. */
    static List<NetworkManifest> unique(List<ManifestParser.Parsed> parsed, List<ManifestError> errors) {
        Map<String, NetworkManifest> byName = new LinkedHashMap<>();
        for (ManifestParser.Parsed p : parsed) {
            NetworkManifest n = p.network();
            if (n == null) {
                continue;
            }
            NetworkManifest first = byName.putIfAbsent(n.name(), n);
            if (first != null) {
                errors.add(new ManifestError(n.nameOrigin(), "metadata.name", "duplicate network name "
                        + Messages.quote(n.name()) + " (first defined at " + first.nameOrigin() + ")"));
            }
        }
        return List.copyOf(byName.values());
    }

    /** The workloads whose networks all exist; an error for each name that does not. */
    static List<Workload> resolve(List<Workload> workloads, List<NetworkManifest> networks, Predicate<String> existing,
                                  List<ManifestError> errors) {
        List<String> declared = networks.stream().map(NetworkManifest::name).toList();
        List<Workload> out = new ArrayList<>();
        for (Workload w : workloads) {
            boolean ok = true;
            List<ContainerSpec.NetworkAttachment> attached = w.spec() instanceof ContainerSpec c ? c.networks() : List.of();
            for (int i = 0; i < attached.size(); i++) {
                String name = attached.get(i).name();
                int own = attached.get(i).aliases().indexOf(w.name());
                if (own >= 0) {
                    String field = "spec.networks[" + i + "].aliases";
                    errors.add(new ManifestError(w.at(field), field, "alias " + Messages.quote(w.name())
                            + " is the workload's own name, which it has on every network already (leave it out)"));
                    ok = false;
                }
                if (declared.contains(name) || existing.test(name)) {
                    continue;
                }
                String field = "spec.networks[" + i + "].name";
                errors.add(new ManifestError(w.at(field), field, "network " + Messages.quote(name)
                        + " is not declared (valid: the name of a kind: Network in the same manifests or one Berth already runs"
                        + (declared.isEmpty() ? "; none is declared" : ", declared here: " + String.join(", ", declared)) + ")"));
                ok = false;
            }
            if (ok) {
                out.add(w);
            }
        }
        return out;
    }
}
