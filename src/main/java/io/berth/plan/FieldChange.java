package io.berth.plan;

/**
 * One field that differs between what runs and what the manifest asks for.
 *
 * @param field   dotted manifest path, e.g. {@code spec.resources.limits.memory}
 * @param from    the value now in force, in manifest spelling ("(none)" when absent)
 * @param to      the value asked for
 * @param inPlace whether the runtime can apply it without recreating the workload
 * @param why     why it is in place or needs a recreate
 */
public record FieldChange(String field, String from, String to, boolean inPlace, String why) {
}
