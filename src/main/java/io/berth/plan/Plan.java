package io.berth.plan;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The planner's whole answer: one action per workload, in name order. Immutable. */
public record Plan(List<Action> actions) {

    public boolean hasChanges() {
        return actions.stream().anyMatch(Action::hasEffect);
    }

    /** Counts per verb, e.g. {create=2, unchanged=28}. */
    public Map<String, Integer> summary() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Action a : actions) {
            counts.merge(a.verb(), 1, Integer::sum);
        }
        return counts;
    }
}
