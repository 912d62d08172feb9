package io.berth.reconcile;

import java.util.List;

/** Every workload's outcome of one apply, in name order. */
public record ApplyResult(List<Outcome> outcomes) {
}
