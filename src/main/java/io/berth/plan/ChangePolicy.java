package io.berth.plan;

import io.berth.manifest.Kind;

/**
 * Which field changes a runtime can apply to a live workload, and the reason shown in the plan.
 * Everything not listed needs a recreate. Pure.
 */
final class ChangePolicy {

    static final String LIMITS = "spec.resources.limits.";

    private ChangePolicy() {
    }

    /** Limit changes are handled by the planner from the runtime's own reading; this covers the rest. */
    static String recreateReason(Kind kind, String field) {
        if (kind == Kind.Container) {
            if (io.berth.manifest.Redaction.secretName(field) != null) {
                return "secret changed: " + io.berth.manifest.Redaction.secretName(field)
                        + "; its file is mounted when the container is created (named volumes are kept)";
            }
            if (field.equals("spec.image")) {
                return "a container's image is fixed when it is created";
            }
            if (field.startsWith("metadata.labels") || field.startsWith("spec.resources.requests")
                    || field.startsWith("spec.placement")) {
                return "recorded in the container's labels, which Docker cannot change";
            }
            return "Docker cannot change this on an existing container";
        }
        return "libvirt cannot change this on a defined domain";
    }

    /** A field other than limits (and a VM's disk size) that the runtime changes on a live workload. */
    static boolean inPlace(Kind kind, String field) {
        return kind == Kind.Container && field.equals(NETWORKS);
    }

    static final String NETWORKS = "spec.networks";
    static final String NETWORKS_WHY = "Docker connects and disconnects a running container (its id is kept)";

    static String inPlaceReason(Kind kind) {
        return kind == Kind.Container
                ? "docker update changes CPU, memory and pids limits of a running container"
                : "libvirt changes the CPU quota of a running domain (vCPU count unchanged)";
    }
}
