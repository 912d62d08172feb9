package io.berth.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The git webhook's answer when it is not refused: JSON {@code {"message"}} (a ping, a push to another
 * branch) or {@code {"message", "id", "state"}} with the reconcile run it started. A refused hook
 * answers an {@link ErrorView}.
 */
public record HookAnswer(String message, @JsonInclude(JsonInclude.Include.NON_NULL) String id,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String state) {
}
