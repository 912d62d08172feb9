package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.ContainerSpec.NetworkAttachment;
import io.berth.runtime.OwnershipLabels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A container's Berth networks (CONTRACT §6.3): which it is on now, read from its inspect answer,
 * and connecting or disconnecting it in place so that it matches its spec. On each network the
 * container answers to its workload name and its aliases (Docker's embedded DNS). Networks that
 * are not Berth's ({@code bridge}, a user's) are never touched. Thread-safe (stateless).
 */
final class ContainerNetworks {

    private final Supplier<DockerClient> docker;
    private final DockerErrors errors;

    ContainerNetworks(Supplier<DockerClient> docker, DockerErrors errors) {
        this.docker = docker;
        this.errors = errors;
    }

    /**
     * The Berth networks of an inspect answer, as the spec writes them: by Berth name, aliases
     * without the ones Docker adds itself (the short container id) and without the workload name,
     * which Berth always adds. Sorted like {@link ContainerSpec}'s.
     */
    static List<NetworkAttachment> attached(InspectContainerResponse c, String workload) {
        Map<String, ContainerNetwork> networks = c.getNetworkSettings() == null ? null : c.getNetworkSettings().getNetworks();
        List<NetworkAttachment> out = new ArrayList<>();
        if (networks == null) {
            return out;
        }
        String shortId = c.getId() == null || c.getId().length() < 12 ? "" : c.getId().substring(0, 12);
        networks.forEach((dockerName, n) -> {
            if (!dockerName.startsWith(OwnershipLabels.OBJECT_PREFIX)) {
                return;
            }
            List<String> aliases = new ArrayList<>(n.getAliases() == null ? List.of() : n.getAliases());
            aliases.removeIf(a -> a.equals(shortId) || a.equals(workload) || a.equals(OwnershipLabels.objectName(workload)));
            out.add(new NetworkAttachment(dockerName.substring(OwnershipLabels.OBJECT_PREFIX.length()), aliases));
        });
        return ContainerSpec.sortedNetworks(out);
    }

    /** The aliases Docker gets for an attachment: the workload name first, then the declared ones. */
    static List<String> aliases(String workload, NetworkAttachment n) {
        List<String> all = new ArrayList<>();
        all.add(workload);
        all.addAll(n.aliases());
        return all;
    }

    void connect(String workload, String containerId, String network, List<String> aliases) {
        errors.run(workload, "connect to network " + OwnershipLabels.objectName(network), () -> docker.get().connectToNetworkCmd()
                .withNetworkId(OwnershipLabels.objectName(network)).withContainerId(containerId)
                .withContainerNetwork(new ContainerNetwork().withAliases(aliases)).exec());
    }

    void disconnect(String workload, String containerId, String network) {
        errors.run(workload, "disconnect from network " + OwnershipLabels.objectName(network), () -> docker.get()
                .disconnectFromNetworkCmd().withNetworkId(OwnershipLabels.objectName(network)).withContainerId(containerId).exec());
    }

    /**
     * Joins a just-created container to its networks after the first (which it was created on);
     * if one fails, {@code undo} removes the container again, so a create is whole or nothing.
     */
    List<String> joinRest(String workload, String containerId, List<NetworkAttachment> networks, Runnable undo) {
        try {
            for (NetworkAttachment n : networks.subList(Math.min(1, networks.size()), networks.size())) {
                connect(workload, containerId, n.name(), aliases(workload, n));
            }
        } catch (RuntimeException e) {
            undo.run();
            throw e;
        }
        return List.of();
    }

    /**
     * Connects and disconnects so the container is on exactly {@code want}: a network whose
     * aliases changed is left and joined again (Docker cannot change aliases of an attachment).
     *
     * @return what was done, for the operator
     */
    List<String> sync(String workload, String containerId, List<NetworkAttachment> now, List<NetworkAttachment> want) {
        List<String> notes = new ArrayList<>();
        for (NetworkAttachment n : now) {
            if (!want.contains(n)) {
                disconnect(workload, containerId, n.name());
                if (want.stream().noneMatch(w -> w.name().equals(n.name()))) {
                    notes.add("disconnected from network " + n.name());
                }
            }
        }
        for (NetworkAttachment w : want) {
            if (!now.contains(w)) {
                connect(workload, containerId, w.name(), aliases(workload, w));
                notes.add((now.stream().anyMatch(n -> n.name().equals(w.name())) ? "reconnected to network " : "connected to network ")
                        + w.name() + (w.aliases().isEmpty() ? "" : " as " + String.join(", ", w.aliases())));
            }
        }
        return notes;
    }
}
