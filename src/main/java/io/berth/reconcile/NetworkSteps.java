package io.berth.reconcile;

import io.berth.api.dto.ActionView;
import io.berth.api.dto.FieldChangeView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.PlanView;
import io.berth.plan.NetworkAction;
import io.berth.runtime.Networks;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Carries out network actions around a workload plan: {@link #before} creates and recreates
 * networks (so the workloads that use them find them), {@link #after} removes pruned ones (once the
 * workloads on them are gone). One network failing never stops the others; the workloads on a
 * network that failed fail on their own with the engine's reason. Also shows network actions in a
 * plan's answer, beside the workloads' and counted with them. Blocking; not thread-safe (one per apply).
 */
public final class NetworkSteps {

    private final Networks networks;
    private final Function<String, Ownership> ownership;

    /** @param ownership the ownership marks of a network, by its name */
    public NetworkSteps(Networks networks, Function<String, Ownership> ownership) {
        this.networks = networks;
        this.ownership = ownership;
    }

    /** Creates and recreates; refusals are reported as the failures they are. */
    public List<OutcomeView> before(List<NetworkAction> actions, Consumer<OutcomeView> progress) {
        return run(actions, a -> !(a instanceof NetworkAction.Delete), progress);
    }

    public List<OutcomeView> after(List<NetworkAction> actions, Consumer<OutcomeView> progress) {
        return run(actions, a -> a instanceof NetworkAction.Delete, progress);
    }

    private List<OutcomeView> run(List<NetworkAction> actions, java.util.function.Predicate<NetworkAction> which,
                                  Consumer<OutcomeView> progress) {
        List<OutcomeView> out = new ArrayList<>();
        for (NetworkAction a : actions) {
            if (!which.test(a) || a instanceof NetworkAction.Unchanged) {
                continue;
            }
            long start = System.nanoTime();
            List<String> notes = new ArrayList<>();
            String error = null;
            try {
                switch (a) {
                    case NetworkAction.Create c -> notes.addAll(networks.create(c.desired(), ownership.apply(c.name())));
                    case NetworkAction.Recreate r -> notes.addAll(networks.recreate(r.desired(), ownership.apply(r.name())));
                    case NetworkAction.Delete d -> networks.remove(d.name());
                    case NetworkAction.Refused r -> error = r.name() + ": " + r.reason();
                    case NetworkAction.Unchanged u -> {
                    }
                }
            } catch (RuntimeFailure | RuntimeUnavailableException e) {
                error = e.getMessage().startsWith(a.name() + ":") ? e.getMessage() : a.name() + ": " + e.getMessage();
            }
            OutcomeView o = Answers.outcome(a.name(), a.verb(), done(a), error, (System.nanoTime() - start) / 1e9, notes);
            progress.accept(o);
            out.add(o);
        }
        return out;
    }

    private static String done(NetworkAction a) {
        return switch (a) {
            case NetworkAction.Create c -> "created";
            case NetworkAction.Recreate r -> "recreated";
            case NetworkAction.Delete d -> "deleted";
            case NetworkAction.Refused r -> "left alone";
            case NetworkAction.Unchanged u -> "unchanged";
        };
    }

    public static ActionView view(NetworkAction a) {
        String description = a instanceof NetworkAction.Refused ? "left alone" : a.verb();
        return new ActionView(a.name(), "Network", a.verb(), a.hasEffect(), description, a.reason(),
                a.changes().stream().map(c -> new FieldChangeView(c.field(), c.from(), c.to(), c.inPlace(), c.why())).toList());
    }

    /** The workloads' plan with the networks' actions first (they run first), counted in its summary. */
    public static PlanView withNetworks(PlanView plan, List<NetworkAction> actions) {
        if (actions.isEmpty()) {
            return plan;
        }
        List<ActionView> all = new ArrayList<>(actions.stream().map(NetworkSteps::view).toList());
        all.addAll(plan.actions());
        Map<String, Integer> summary = new TreeMap<>(plan.summary());
        actions.forEach(a -> summary.merge(a.verb(), 1, Integer::sum));
        return new PlanView(plan.changes() || actions.stream().anyMatch(NetworkAction::hasEffect), summary, all, plan.elsewhere());
    }
}
