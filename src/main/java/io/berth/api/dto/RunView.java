package io.berth.api.dto;

import java.time.Instant;
import java.util.List;

/**
 * A reconcile run ({@code POST /api/v1/reconcile}, {@code GET /api/v1/reconcile/{id}}): JSON
 * {@code {"id", "trigger", "state", "startedAt", "finishedAt", "git", "error", "workloads",
 * "failed"}}. {@code state} is {@code Running}, {@code Succeeded} or {@code Failed};
 * {@code finishedAt}, {@code git} and {@code error} are null until known (and {@code git} without a
 * git source); {@code workloads} has every workload's outcome, {@code failed} those not ok.
 */
public record RunView(String id, String trigger, String state, Instant startedAt, Instant finishedAt, GitView git,
                      String error, List<OutcomeView> workloads, List<FailedView> failed) {

    public boolean running() {
        return "Running".equals(state);
    }

    public boolean succeeded() {
        return "Succeeded".equals(state);
    }
}
