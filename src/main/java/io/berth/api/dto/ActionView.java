package io.berth.api.dto;

import java.util.List;

/**
 * One action of a plan: JSON {@code {"name", "kind", "action", "effect", "description", "reason",
 * "changes"}}. {@code action} is the verb ({@code create}, {@code update}, {@code recreate},
 * {@code start}, {@code delete}, {@code unchanged}), {@code effect} whether carrying it out changes
 * the host, {@code description} the verb in words, {@code changes} every field that differs (empty
 * for actions without a diff).
 */
public record ActionView(String name, String kind, String action, boolean effect, String description, String reason,
                         List<FieldChangeView> changes) {
}
