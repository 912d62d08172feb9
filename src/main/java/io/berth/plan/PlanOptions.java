package io.berth.plan;

import io.berth.manifest.Redaction;

import java.util.Set;

/**
 * @param prune     delete managed workloads of the given sources that the manifests no longer declare
 * @param sources   the manifest sources being applied; prune never reaches beyond them
 * @param redaction this host's redaction, the one the runtimes recorded specs with
 *                  ({@link io.berth.runtime.RuntimeSet#redaction()})
 */
public record PlanOptions(boolean prune, Set<String> sources, Redaction redaction) {
}
