package io.berth.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The answer of {@code POST /api/v1/apply}: JSON {@code {"plan", "elsewhere", "result"}} — the plan
 * (without its own {@code elsewhere}), the workloads placed on other hosts, and one outcome per
 * workload in name order (empty for a dry run). The CLI's {@code apply -o json} prints
 * {@code {"plan", "result"}} with {@code elsewhere} inside the plan, i.e. this record with
 * {@code elsewhere} null (left out).
 */
public record ApplyAnswer(PlanView plan, @JsonInclude(JsonInclude.Include.NON_NULL) List<String> elsewhere,
                          List<OutcomeView> result) {

    /** Whether any workload failed (exit 1). */
    public boolean failed() {
        return result.stream().anyMatch(o -> !o.ok());
    }
}
