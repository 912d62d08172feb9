package io.berth.runtime.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Kind;
import io.berth.manifest.Redaction;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.OwnershipLabels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that maps a container workload onto Docker's create call (Testcontainers'
 * {@code applyTo}). Pure: it only fills in the command object.
 *
 * <p>Limits are hard: CPU as NanoCpus (a CFS quota), memory with MemorySwap equal to Memory so the
 * container cannot escape its limit into swap, and a pids limit against fork bombs. command and
 * args follow Kubernetes: command replaces the image's ENTRYPOINT, args its CMD.
 */
final class ContainerMapper {

    private ContainerMapper() {
    }

    /**
     * Fills in the create call. The container gets its environment in clear (it needs it; Docker
     * keeps it in {@code Config.Env}); Berth's own labels get the spec {@linkplain Redaction redacted}.
     */
    static void applyTo(CreateContainerCmd cmd, Workload w, Ownership ownership, Redaction redaction) {
        applyTo(cmd, w, ownership, redaction, List.of());
    }

    /**
     * As above, with {@code secretMounts}: the read-only bind mounts of the workload's secret files
     * ({@link HostSecrets}); the values themselves never pass through here.
     */
    static void applyTo(CreateContainerCmd cmd, Workload w, Ownership ownership, Redaction redaction, List<Mount> secretMounts) {
        ContainerSpec spec = (ContainerSpec) w.spec();
        cmd.withName(OwnershipLabels.objectName(w.name()))
                .withHostName(w.name())
                .withLabels(labels(w, ownership, redaction));
        if (!spec.command().isEmpty()) {
            cmd.withEntrypoint(spec.command());
        }
        if (!spec.args().isEmpty()) {
            cmd.withCmd(spec.args());
        }
        if (!spec.env().isEmpty()) {
            cmd.withEnv(spec.env().stream().map(e -> e.name() + "=" + e.value()).toList());
        }
        HostConfig host = HostConfig.newHostConfig();
        limits(host, w.resources());
        // Berth carries out restartPolicy itself, for containers and VMs alike: its own capped
        // backoff, a restart count in status, and restarts on failed health checks (Docker never
        // restarts unhealthy containers: moby#28400). Docker restarting them too would race it.
        host.withRestartPolicy(RestartPolicy.noRestart()); // Docker shows it as ""
        ports(cmd, host, spec.ports());
        List<Mount> mounts = new ArrayList<>(spec.volumes().stream()
                .map(v -> new Mount().withType(MountType.VOLUME).withSource(v.name())
                        .withTarget(v.mountPath()).withReadOnly(v.readOnly()))
                .toList());
        mounts.addAll(secretMounts);
        if (!mounts.isEmpty()) {
            host.withMounts(mounts);
        }
        if (spec.securityContext() != null) {
            ContainerSpec.SecurityContext sc = spec.securityContext();
            if (sc.user() != null) {
                cmd.withUser(sc.user());
            }
            host.withReadonlyRootfs(sc.readOnlyRootFilesystem()).withPrivileged(sc.privileged());
        }
        if (spec.healthCheck() != null) {
            ContainerSpec.HealthCheck hc = spec.healthCheck();
            List<String> test = new ArrayList<>();
            test.add("CMD");
            test.addAll(hc.command());
            cmd.withHealthcheck(new HealthCheck().withTest(test)
                    .withInterval(hc.intervalMillis() * 1_000_000L)
                    .withTimeout(hc.timeoutMillis() * 1_000_000L)
                    .withRetries(hc.retries()));
        }
        if (!spec.networks().isEmpty()) {
            // Created on its first network (so it never sits on Docker's default bridge); the rest
            // are joined before it starts (DockerRuntime.create).
            ContainerSpec.NetworkAttachment first = spec.networks().getFirst();
            host.withNetworkMode(OwnershipLabels.objectName(first.name()));
            cmd.withAliases(ContainerNetworks.aliases(w.name(), first));
        }
        cmd.withHostConfig(host);
    }

    static void limits(HostConfig host, Resources r) {
        host.withNanoCPUs(nanoCpus(r)).withMemory(r.limits().memoryBytes())
                .withMemorySwap(r.limits().memoryBytes()).withPidsLimit(r.pids());
    }

    static long nanoCpus(Resources r) {
        return r.limits().cpuMillis() * 1_000_000L;
    }

    static Map<String, String> labels(Workload w, Ownership ownership, Redaction redaction) {
        Map<String, String> labels = new LinkedHashMap<>(w.labels());
        labels.put(OwnershipLabels.MANAGED, "true");
        labels.put(OwnershipLabels.NAME, w.name());
        labels.put(OwnershipLabels.KIND, Kind.Container.name());
        labels.put(OwnershipLabels.SPEC_HASH, redaction.specHash(w));
        labels.put(OwnershipLabels.SOURCE, ownership.source());
        labels.put(OwnershipLabels.AGENT, ownership.agent());
        labels.put(OwnershipLabels.SPEC, redaction.recordedJson(w));
        return labels;
    }

    private static void ports(CreateContainerCmd cmd, HostConfig host, List<ContainerSpec.Port> ports) {
        if (ports.isEmpty()) {
            return;
        }
        List<ExposedPort> exposed = new ArrayList<>();
        Ports bindings = new Ports();
        for (ContainerSpec.Port p : ports) {
            ExposedPort ep = new ExposedPort(p.containerPort(), InternetProtocol.parse(p.protocol().name()));
            exposed.add(ep);
            if (p.hostPort() > 0) {
                bindings.bind(ep, p.hostIP() == null
                        ? Ports.Binding.bindPort(p.hostPort())
                        : Ports.Binding.bindIpAndPort(p.hostIP(), p.hostPort()));
            }
        }
        cmd.withExposedPorts(exposed);
        host.withPortBindings(bindings);
    }
}
