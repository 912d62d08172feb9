package io.berth.plan;

import io.berth.manifest.Cidr;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.ContainerSpec.NetworkAttachment;
import io.berth.manifest.NetworkManifest;
import io.berth.manifest.Workload;
import io.berth.runtime.ObservedNetwork;
import io.berth.runtime.ObservedNetwork.Member;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The network planner and the in-place networks change of a container, from values (pure). */
class NetworkPlannerTest {

    static final String SOURCE = PlannerTest.SOURCE;
    static final PlanOptions PRUNE = new PlanOptions(true, Set.of(SOURCE), PlannerTest.REDACTION);

    static NetworkManifest net(String name, String subnet, boolean internal) {
        return new NetworkManifest(name, subnet == null ? null : Cidr.parse(subnet), internal, null, null);
    }

    static ObservedNetwork observed(String name, String subnet, boolean internal, Member... members) {
        return new ObservedNetwork(name, "id" + name, Cidr.parse(subnet), internal, SOURCE, null, List.of(members), "br-x");
    }

    @Test
    void createsWhatIsMissingAndLeavesAnAllocatedSubnetAlone() {
        List<NetworkAction> plan = NetworkPlanner.plan(List.of(net("a", null, false), net("b", "10.89.5.0/24", true)),
                List.of(observed("a", "10.89.0.0/24", false)), List.of(), PRUNE);
        assertThat(plan).extracting(NetworkAction::verb).containsExactly("unchanged", "create");
        assertThat(plan.get(1).reason()).isEqualTo("not present on this host");
        assertThat(plan.getFirst().hasEffect()).isFalse();
    }

    @Test
    void aChangedSubnetOrInternalRecreatesAndNamesTheWorkloadsCarriedOver() {
        NetworkAction a = NetworkPlanner.decide(net("a", "10.89.9.0/24", true),
                observed("a", "10.89.0.0/24", false, new Member("berth-db", "db", List.of("db", "pg"))));
        assertThat(a).isInstanceOf(NetworkAction.Recreate.class);
        assertThat(a.changes()).extracting(FieldChange::field).containsExactly("spec.subnet", "spec.internal");
        assertThat(a.changes()).allMatch(c -> !c.inPlace());
        assertThat(a.reason()).isEqualTo("2 fields cannot change in place; its workloads (db) are disconnected and reconnected");
    }

    @Test
    void nothingAForeignContainerUsesIsRecreatedOrPruned() {
        Member foreign = new Member("someones-app", null, List.of());
        NetworkAction change = NetworkPlanner.decide(net("a", null, true), observed("a", "10.89.0.0/24", false, foreign));
        assertThat(change).isInstanceOf(NetworkAction.Refused.class);
        assertThat(change.reason()).contains("containers Berth does not manage use the network: someones-app");
        List<NetworkAction> prune = NetworkPlanner.plan(List.of(), List.of(observed("a", "10.89.0.0/24", false, foreign),
                observed("b", "10.89.1.0/24", false), observed("c", "10.89.2.0/24", false)), List.of(), PRUNE);
        assertThat(prune).extracting(NetworkAction::verb).containsExactly("refused", "delete", "delete");
        assertThat(prune.getFirst().reason()).isEqualTo("no longer declared in " + SOURCE
                + ", but containers Berth does not manage use it: someones-app; left in place");
        // Other sources' networks are never pruned.
        assertThat(NetworkPlanner.plan(List.of(), List.of(observed("b", "10.89.1.0/24", false)), List.of(),
                new PlanOptions(true, Set.of("/elsewhere"), PlannerTest.REDACTION))).isEmpty();
    }

    @Test
    void changedNetworksOfAContainerAreAnUpdateInPlaceAndTheSameOnesAreNoChange() {
        Workload base = PlannerTest.load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        ContainerSpec spec = (ContainerSpec) base.spec();
        Workload onB = with(base, spec.withNetworks(List.of(new NetworkAttachment("b", List.of("www")))));
        Action a = Planner.decide(onB, PlannerTest.running(base), PlannerTest.REDACTION);
        assertThat(a).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(a.description()).isEqualTo("update in place");
        assertThat(a.reason()).isEqualTo("networks");
        assertThat(a.changesList()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("spec.networks");
            assertThat(c.inPlace()).isTrue();
            assertThat(c.from()).isEqualTo("(none)");
            assertThat(c.to()).isEqualTo("[{name: b, aliases: [www]}]");
        });
        // Reordered aliases are the same networks.
        Workload reordered = with(base, spec.withNetworks(List.of(new NetworkAttachment("b", List.of("x", "a")))));
        Workload observed = with(base, spec.withNetworks(List.of(new NetworkAttachment("b", List.of("a", "x")))));
        assertThat(Planner.decide(reordered, PlannerTest.running(observed), PlannerTest.REDACTION))
                .isInstanceOf(Action.Unchanged.class);
    }

    static Workload with(Workload w, ContainerSpec spec) {
        return new Workload(w.name(), w.labels(), w.resources(), w.placement(), spec, w.origin());
    }
}
