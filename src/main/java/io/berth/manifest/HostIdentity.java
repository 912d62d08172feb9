package io.berth.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who this agent is for {@code spec.placement}: its host name and labels. One repository of
 * manifests can drive a fleet: each agent takes only the workloads placed on it (no placement:
 * every host), and since each agent prunes only what it created, pruning on one host never touches
 * another's. Immutable.
 */
public record HostIdentity(String hostName, Map<String, String> labels) {

    public HostIdentity {
        labels = Map.copyOf(labels);
    }

    /** Whether a workload with this placement belongs on this host: the host name (if given) and every label match. */
    public boolean accepts(Placement placement) {
        if (placement == null) {
            return true;
        }
        if (placement.host() != null && !placement.host().equals(hostName)) {
            return false;
        }
        return placement.labels().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /**
     * A manifest set split by placement: the workloads placed on this host, and why each of the others
     * is not run here ({@code "name: placed on ..."}), both in the given order.
     */
    public record Placed(List<Workload> here, List<String> elsewhere) {
    }

    /** Splits workloads by {@link #accepts}: the ones placed elsewhere are not desired here (a copy made earlier is pruned). */
    public Placed place(List<Workload> all) {
        List<Workload> here = all.stream().filter(w -> accepts(w.placement())).toList();
        List<String> elsewhere = all.stream().filter(w -> !accepts(w.placement()))
                .map(w -> w.name() + ": " + why(w.placement())).toList();
        return new Placed(here, elsewhere);
    }

    /** Why a workload is not placed here, for status and plans. */
    public String why(Placement placement) {
        return "placed on " + (placement.host() != null ? "host " + placement.host() : "")
                + (placement.host() != null && !placement.labels().isEmpty() ? " with " : "")
                + (placement.labels().isEmpty() ? "" : "labels " + placement.labels())
                + ", not on this host (" + hostName + (labels.isEmpty() ? "" : " " + labels) + ")";
    }

    /**
     * Labels written {@code key=value,key2=value2} (the form of {@code berth.host-labels} and
     * BERTH_HOST_LABELS); blank means none.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static Map<String, String> parseLabels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("host label \"" + pair.strip() + "\" is not key=value (valid: zone=eu,disk=ssd)");
            }
            out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return out;
    }
}
