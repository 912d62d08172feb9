package io.berth.plan;

import io.berth.manifest.ContainerSpec;
import io.berth.manifest.NetworkManifest;
import io.berth.manifest.Workload;
import io.berth.runtime.ObservedNetwork;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The planner for networks: a pure function of (desired networks, observed networks, the workloads
 * of the same apply) to one {@link NetworkAction} per network, in name order. A declared subnet or
 * internal flag is compared with what the engine reports (an allocated subnet is no change: any
 * free one does); Docker cannot change either on a network, so a difference recreates it, carrying
 * this agent's containers over. Nothing that a container Berth does not manage uses is ever
 * recreated or removed: the plan says which containers hold it.
 */
public final class NetworkPlanner {

    static final String RECREATE = "Docker cannot change this on an existing network";

    private NetworkPlanner() {
    }

    public static List<NetworkAction> plan(List<NetworkManifest> desired, List<ObservedNetwork> observed,
                                           List<Workload> workloads, PlanOptions options) {
        Map<String, ObservedNetwork> byName = observed.stream()
                .collect(Collectors.toMap(ObservedNetwork::name, Function.identity(), (a, b) -> a));
        List<NetworkAction> out = new ArrayList<>();
        for (NetworkManifest d : desired) {
            out.add(decide(d, byName.get(d.name())));
        }
        if (options.prune()) {
            List<String> declared = desired.stream().map(NetworkManifest::name).toList();
            for (ObservedNetwork o : observed) {
                if (!declared.contains(o.name()) && options.sources().contains(o.source())) {
                    out.add(prune(o, workloads));
                }
            }
        }
        out.sort(Comparator.comparing(NetworkAction::name));
        return List.copyOf(out);
    }

    static NetworkAction decide(NetworkManifest d, ObservedNetwork o) {
        if (o == null) {
            return new NetworkAction.Create(d, "not present on this host"
                    + (d.subnet() == null ? "; its subnet is allocated from 10.89.0.0/16" : ""));
        }
        List<FieldChange> changes = new ArrayList<>();
        if (d.subnet() != null && !d.subnet().equals(o.subnet())) {
            changes.add(new FieldChange("spec.subnet", o.subnet() == null ? "(none)" : o.subnet().toString(),
                    d.subnet().toString(), false, RECREATE));
        }
        if (d.internal() != o.internal()) {
            changes.add(new FieldChange("spec.internal", Boolean.toString(o.internal()), Boolean.toString(d.internal()),
                    false, RECREATE));
        }
        if (changes.isEmpty()) {
            return new NetworkAction.Unchanged(d, o, "up to date");
        }
        String what = changes.size() == 1 ? changes.getFirst().field() + " cannot change in place"
                : changes.size() + " fields cannot change in place";
        if (!o.foreign().isEmpty()) {
            return new NetworkAction.Refused(d.name(), what + ", and containers Berth does not manage use the network: "
                    + String.join(", ", o.foreign()) + "; left as it is");
        }
        List<String> ours = workloads(o);
        return new NetworkAction.Recreate(d, o, List.copyOf(changes), what + (ours.isEmpty() ? ""
                : "; its workloads (" + String.join(", ", ours) + ") are disconnected and reconnected"));
    }

    private static NetworkAction prune(ObservedNetwork o, List<Workload> workloads) {
        String why = "no longer declared in " + o.source();
        if (!o.foreign().isEmpty()) {
            return new NetworkAction.Refused(o.name(), why + ", but containers Berth does not manage use it: "
                    + String.join(", ", o.foreign()) + "; left in place");
        }
        List<String> users = workloads.stream().filter(w -> w.spec() instanceof ContainerSpec c
                && c.networks().stream().anyMatch(n -> n.name().equals(o.name()))).map(Workload::name).sorted().toList();
        if (!users.isEmpty()) {
            return new NetworkAction.Refused(o.name(), why + ", but workloads still declare it: " + String.join(", ", users)
                    + "; left in place");
        }
        return new NetworkAction.Delete(o, why + " (after its workloads are removed)");
    }

    private static List<String> workloads(ObservedNetwork o) {
        return o.members().stream().map(ObservedNetwork.Member::workload).filter(Objects::nonNull).sorted().toList();
    }
}
