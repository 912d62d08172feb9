package io.berth.manifest;

/** The kind-specific part of a workload. */
public sealed interface WorkloadSpec permits ContainerSpec, VmSpec {
}
