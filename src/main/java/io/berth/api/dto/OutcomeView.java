package io.berth.api.dto;

import java.util.List;

/**
 * What became of one workload's action: JSON {@code {"name", "action", "done", "ok", "error",
 * "seconds", "notes"}}. {@code done} is the past tense for people ({@code created},
 * {@code updated in place}, …, {@code in progress} when the wait ran out), {@code ok} is
 * {@code error == null}, {@code seconds} how long it took, {@code notes} what the runtime chose that
 * the operator should know. Immutable.
 */
public record OutcomeView(String name, String action, String done, boolean ok, String error, double seconds,
                          List<String> notes) {
}
