package io.berth.runtime.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import io.berth.manifest.CanonicalForm;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Kind;
import io.berth.manifest.Origin;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.OwnershipLabels;
import io.berth.runtime.WorkloadState;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads Docker's inspect answer into Berth's {@link Observed}. Pure. */
final class ContainerObserver {

    private ContainerObserver() {
    }

    /** {@code podman}: the Podman version behind the Docker API, or null for Docker Engine. */
    static Observed observe(InspectContainerResponse c, String podman) {
        Map<String, String> labels = c.getConfig().getLabels() == null ? Map.of() : c.getConfig().getLabels();
        String name = labels.get(OwnershipLabels.NAME);
        InspectContainerResponse.ContainerState s = c.getState();
        WorkloadState state = state(s == null ? null : s.getStatus());
        Integer exit = s == null || s.getExitCodeLong() == null || state == WorkloadState.Created
                || state == WorkloadState.Running ? null : s.getExitCodeLong().intValue();
        boolean oom = s != null && Boolean.TRUE.equals(s.getOOMKilled());
        return new Observed(name, Kind.Container, c.getId(), state, exit, oom,
                labels.get(OwnershipLabels.SOURCE), labels.get(OwnershipLabels.AGENT),
                labels.get(OwnershipLabels.SPEC_HASH), withLiveNetworks(applied(labels), c), limits(c.getHostConfig(), podman),
                List.of(),
                health(s));
    }

    /** Docker leaves Health out without a health check; Podman sends it with an empty Status. */
    static String health(InspectContainerResponse.ContainerState s) {
        String status = s == null || s.getHealth() == null ? null : s.getHealth().getStatus();
        return status == null || status.isBlank() ? null : status;
    }

    static WorkloadState state(String status) {
        if (status == null) {
            return WorkloadState.Dead;
        }
        return switch (status) {
            case "created" -> WorkloadState.Created;
            case "running" -> WorkloadState.Running;
            case "paused" -> WorkloadState.Paused;
            case "restarting" -> WorkloadState.Restarting;
            case "exited" -> WorkloadState.Exited;
            default -> WorkloadState.Dead; // "dead", "removing"
        };
    }

    static ObservedLimits limits(HostConfig h, String podman) {
        String fixedBy = podman == null ? null : Podman.limitsFixed(podman);
        if (h == null) {
            return new ObservedLimits(0, 0, 0, 0, 0, fixedBy);
        }
        long nano = nz(h.getNanoCPUs());
        long cpuMillis = nano > 0 ? nano / 1_000_000L : quotaMillis(nz(h.getCpuQuota()), nz(h.getCpuPeriod()));
        long pids = nz(h.getPidsLimit());
        return new ObservedLimits(cpuMillis, nz(h.getMemory()), nz(h.getMemorySwap()), pids < 0 ? 0 : pids, 0, fixedBy);
    }

    /** A quota set by hand (docker update --cpu-quota) still counts as the enforced limit. */
    private static long quotaMillis(long quota, long period) {
        if (quota <= 0) {
            return 0;
        }
        return quota * 1000 / (period > 0 ? period : 100_000);
    }

    /**
     * The recorded spec with the networks the container is on now: networks change in place, so
     * (like limits) they are compared with what runs, never with the record made at creation.
     */
    private static Workload withLiveNetworks(Workload applied, InspectContainerResponse c) {
        if (applied == null || !(applied.spec() instanceof ContainerSpec spec)) {
            return applied;
        }
        ContainerSpec live = spec.withNetworks(ContainerNetworks.attached(c, applied.name()));
        return live.equals(spec) ? applied : new Workload(applied.name(), applied.labels(), applied.resources(),
                applied.placement(), live, applied.origin(), applied.positions());
    }

    private static Workload applied(Map<String, String> labels) {
        String json = labels.get(OwnershipLabels.SPEC);
        if (json == null) {
            return null;
        }
        try {
            return CanonicalForm.fromJson(json, new Origin(Path.of("<label " + OwnershipLabels.SPEC + ">"), 1, 1));
        } catch (RuntimeException e) {
            return null; // unreadable record: the planner recreates, which rewrites it
        }
    }

    private static long nz(Number n) {
        return n == null ? 0 : n.longValue();
    }
}
