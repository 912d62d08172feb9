package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import io.berth.manifest.Cidr;
import io.berth.manifest.NetworkManifest;
import io.berth.runtime.Networks;
import io.berth.runtime.ObservedNetwork;
import io.berth.runtime.Ownership;
import io.berth.runtime.OwnershipLabels;
import io.berth.runtime.RuntimeFailure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Berth's networks on the Docker Engine: user-defined bridge networks {@code berth-<name>} with the
 * ownership labels of CONTRACT §4 ({@code io.berth.kind=Network}, the declared spec in
 * {@code io.berth.spec}). Docker cannot change a network's subnet or internal flag, so a change
 * recreates it, carrying this agent's containers over with their aliases. Thread-safe: creates are
 * serialised in this process so two allocations never pick the same subnet.
 */
public final class DockerNetworks implements Networks {

    static final String KIND = "Network";

    private final Supplier<DockerClient> docker;
    private final DockerErrors errors;
    private final String agent;
    private final ContainerNetworks attach;

    DockerNetworks(Supplier<DockerClient> docker, DockerErrors errors, String agent) {
        this.docker = docker;
        this.errors = errors;
        this.agent = agent;
        this.attach = new ContainerNetworks(docker, errors);
    }

    /**
     * The names of this agent's networks on the engine of DOCKER_HOST, for a load's check of the
     * networks containers name (one short-lived connection); empty when the engine does not answer.
     */
    public static java.util.Set<String> names(String agent) {
        try (DockerClients clients = new DockerClients(DockerClients.host())) {
            DockerErrors errors = new DockerErrors(DockerClients.host(), () -> { });
            return new DockerNetworks(clients::requests, errors, agent).list().stream().map(ObservedNetwork::name)
                    .collect(java.util.stream.Collectors.toSet());
        } catch (RuntimeException e) {
            return java.util.Set.of(); // unreachable: the name stays undeclared, and the error says so
        }
    }

    @Override
    public List<ObservedNetwork> list() {
        List<Network> all = errors.call("networks", "list networks", () -> docker.get().listNetworksCmd().exec());
        List<ObservedNetwork> out = new ArrayList<>();
        for (Network n : all) {
            Map<String, String> labels = n.getLabels() == null ? Map.of() : n.getLabels();
            if ("true".equals(labels.get(OwnershipLabels.MANAGED)) && agent.equals(labels.get(OwnershipLabels.AGENT))
                    && KIND.equals(labels.get(OwnershipLabels.KIND))) {
                out.add(observe(inspect(n.getId(), labels.get(OwnershipLabels.NAME))));
            }
        }
        return out;
    }

    private Network inspect(String id, String name) {
        return errors.call(name, "inspect network", () -> docker.get().inspectNetworkCmd().withNetworkId(id).exec());
    }

    private ObservedNetwork observe(Network n) {
        Map<String, String> labels = n.getLabels();
        String name = labels.get(OwnershipLabels.NAME);
        List<ObservedNetwork.Member> members = new ArrayList<>();
        // Listed rather than read from the network's inspect, which shows only running containers:
        // a stopped one still belongs to the network and starts on it again.
        List<Container> containers = errors.call(name, "list containers on network", () -> docker.get().listContainersCmd()
                .withShowAll(true).withNetworkFilter(List.of(n.getId())).exec());
        for (Container c : containers) {
            String cname = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
            members.add(member(c.getId(), cname, n.getName()));
        }
        Cidr subnet = n.getIpam() == null || n.getIpam().getConfig() == null ? null : n.getIpam().getConfig().stream()
                .map(c -> Cidr.lenient(c.getSubnet())).filter(Objects::nonNull).findFirst().orElse(null);
        return new ObservedNetwork(name, n.getId(), subnet, Boolean.TRUE.equals(n.getInternal()), labels.get(OwnershipLabels.SOURCE),
                NetworkManifest.fromRecorded(name, labels.get(OwnershipLabels.SPEC)), members,
                "br-" + n.getId().substring(0, Math.min(12, n.getId().length())));
    }

    /** A container on the network: this agent's workload (with its aliases there) or someone else's. */
    private ObservedNetwork.Member member(String id, String containerName, String network) {
        InspectContainerResponse c;
        try {
            c = errors.call(containerName, "inspect container", () -> docker.get().inspectContainerCmd(id).exec());
        } catch (RuntimeFailure e) {
            return new ObservedNetwork.Member(containerName, null, List.of()); // gone meanwhile: counted as not ours
        }
        Map<String, String> labels = c.getConfig() == null || c.getConfig().getLabels() == null ? Map.of() : c.getConfig().getLabels();
        boolean ours = "true".equals(labels.get(OwnershipLabels.MANAGED)) && agent.equals(labels.get(OwnershipLabels.AGENT));
        var endpoint = c.getNetworkSettings() == null || c.getNetworkSettings().getNetworks() == null ? null
                : c.getNetworkSettings().getNetworks().get(network);
        List<String> aliases = endpoint == null || endpoint.getAliases() == null ? List.of() : endpoint.getAliases().stream()
                .filter(a -> !id.startsWith(a)).toList();
        return new ObservedNetwork.Member(containerName, ours ? labels.get(OwnershipLabels.NAME) : null, aliases);
    }

    @Override
    public synchronized List<String> create(NetworkManifest network, Ownership ownership) {
        String name = network.name();
        String dockerName = OwnershipLabels.objectName(name);
        Map<String, Cidr> used = usedSubnets();
        Cidr subnet = network.subnet();
        List<String> notes = new ArrayList<>();
        if (subnet != null) {
            for (Map.Entry<String, Cidr> u : used.entrySet()) {
                if (u.getValue().overlaps(subnet) && !u.getKey().equals(dockerName)) {
                    throw new RuntimeFailure(name, name + ": subnet " + subnet + " overlaps " + u.getValue() + " of Docker network "
                            + u.getKey() + " (choose another subnet, or leave subnet out to have one allocated)");
                }
            }
        } else {
            subnet = SubnetPool.allocate(List.copyOf(used.values()));
            if (subnet == null) {
                throw new RuntimeFailure(name, name + ": no free /" + SubnetPool.PREFIX + " left in " + SubnetPool.POOL
                        + " (every one overlaps a Docker network); declare spec.subnet");
            }
            notes.add("subnet " + subnet + " allocated from " + SubnetPool.POOL);
        }
        Cidr chosen = subnet;
        try {
            errors.call(name, "create network " + dockerName, () -> docker.get().createNetworkCmd()
                    .withName(dockerName).withDriver("bridge").withCheckDuplicate(true)
                    .withInternal(network.internal())
                    .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config().withSubnet(chosen.toString())
                            .withGateway(chosen.gateway())))
                    .withLabels(labels(network, ownership)).exec());
        } catch (RuntimeFailure e) {
            if (DockerErrors.isConflict(e.getCause())) {
                throw new RuntimeFailure(name, name + ": a Docker network named " + dockerName + " already exists and Berth did"
                        + " not create it for this agent; rename or remove it, or rename the network", e);
            }
            throw e;
        }
        return notes;
    }

    /** Every IPv4 subnet the engine's networks hold, by network name. */
    private Map<String, Cidr> usedSubnets() {
        Map<String, Cidr> used = new LinkedHashMap<>();
        for (Network n : errors.call("networks", "list networks", () -> docker.get().listNetworksCmd().exec())) {
            if (n.getIpam() != null && n.getIpam().getConfig() != null) {
                n.getIpam().getConfig().stream().map(c -> Cidr.lenient(c.getSubnet())).filter(Objects::nonNull)
                        .forEach(c -> used.put(n.getName(), c));
            }
        }
        return used;
    }

    static Map<String, String> labels(NetworkManifest n, Ownership ownership) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(OwnershipLabels.MANAGED, "true");
        labels.put(OwnershipLabels.NAME, n.name());
        labels.put(OwnershipLabels.KIND, KIND);
        labels.put(OwnershipLabels.SPEC_HASH, sha256(n.recordedJson()));
        labels.put(OwnershipLabels.SOURCE, ownership.source());
        labels.put(OwnershipLabels.AGENT, ownership.agent());
        labels.put(OwnershipLabels.SPEC, n.recordedJson());
        return labels;
    }

    @Override
    public synchronized List<String> recreate(NetworkManifest network, Ownership ownership) {
        String name = network.name();
        ObservedNetwork now = find(name);
        List<String> notes = new ArrayList<>();
        if (now != null) {
            if (!now.foreign().isEmpty()) {
                throw new RuntimeFailure(name, name + ": cannot recreate network " + OwnershipLabels.objectName(name)
                        + ": containers Berth does not manage for this agent use it: " + String.join(", ", now.foreign()));
            }
            for (ObservedNetwork.Member m : now.members()) {
                attach.disconnect(m.workload(), m.container(), name);
            }
            errors.run(name, "remove network", () -> docker.get().removeNetworkCmd(now.id()).exec());
        }
        notes.addAll(create(network, ownership));
        for (ObservedNetwork.Member m : now == null ? List.<ObservedNetwork.Member>of() : now.members()) {
            attach.connect(m.workload(), m.container(), name, m.aliases());
            notes.add("reconnected " + m.workload());
        }
        return notes;
    }

    @Override
    public void remove(String name) {
        ObservedNetwork now = find(name);
        if (now == null) {
            return;
        }
        if (!now.members().isEmpty()) {
            List<String> foreign = now.foreign();
            List<String> ours = now.members().stream().filter(m -> m.workload() != null).map(ObservedNetwork.Member::workload)
                    .sorted().toList();
            throw new RuntimeFailure(name, name + ": network " + OwnershipLabels.objectName(name) + " is not removed: "
                    + (foreign.isEmpty() ? "" : "containers Berth does not manage for this agent use it: " + String.join(", ", foreign)
                    + (ours.isEmpty() ? "" : "; ")) + (ours.isEmpty() ? "" : "workloads still on it: " + String.join(", ", ours))
                    + " (disconnect them first)");
        }
        try {
            errors.run(name, "remove network", () -> docker.get().removeNetworkCmd(now.id()).exec());
        } catch (RuntimeFailure e) {
            if (!DockerErrors.isNotFound(e.getCause())) {
                throw e;
            }
        }
    }

    private ObservedNetwork find(String name) {
        return list().stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
