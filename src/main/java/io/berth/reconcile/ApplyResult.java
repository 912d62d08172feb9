package io.berth.reconcile;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every workload's outcome of one apply, in name order. */
public record ApplyResult(List<Outcome> outcomes) {

    public boolean failed() {
        return outcomes.stream().anyMatch(o -> !o.ok());
    }

    public Map<String, Integer> summary() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Outcome o : outcomes) {
            counts.merge(o.ok() ? o.done() : "failed", 1, Integer::sum);
        }
        return counts;
    }
}
