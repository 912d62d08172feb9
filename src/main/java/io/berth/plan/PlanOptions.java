package io.berth.plan;

import java.util.Set;

/**
 * @param prune   delete managed workloads of the given sources that the manifests no longer declare
 * @param sources the manifest sources being applied; prune never reaches beyond them
 */
public record PlanOptions(boolean prune, Set<String> sources) {
}
