package io.berth.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * A plan: JSON {@code {"changes", "summary", "actions", "elsewhere"}}. {@code changes} is whether any
 * action has an effect, {@code summary} the count per verb (sorted by verb), {@code actions} one per
 * workload in name order, {@code elsewhere} the workloads placed on other hosts, each
 * {@code "name: why"}. {@code elsewhere} is left out (null) where it travels beside the plan, as in
 * {@link ApplyAnswer}. Immutable.
 */
public record PlanView(boolean changes, Map<String, Integer> summary, List<ActionView> actions,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<String> elsewhere) {

    public PlanView withElsewhere(List<String> lines) {
        return new PlanView(changes, summary, actions, lines);
    }
}
