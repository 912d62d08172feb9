package io.berth.runtime;

import io.berth.manifest.Cidr;
import io.berth.manifest.NetworkManifest;

import java.util.List;

/**
 * What the engine reports about one network Berth made for this agent.
 *
 * @param name     the Berth name (not the engine's {@code berth-<name>})
 * @param id       the engine's id
 * @param subnet   the subnet it has now (declared or allocated), or null when the engine reports none
 * @param internal whether it has no route out
 * @param source   the manifest source that declared it
 * @param recorded the spec Berth recorded at creation (its declared subnet, null when allocated), or
 *                 null when the record is missing or unreadable
 * @param members  the containers attached to it now, Berth's and others'
 * @param bridge   the Linux bridge behind it ({@code br-<id prefix>}), for VMs on the same segment
 */
public record ObservedNetwork(String name, String id, Cidr subnet, boolean internal, String source,
                              NetworkManifest recorded, List<Member> members, String bridge) {

    public ObservedNetwork {
        members = List.copyOf(members);
    }

    /**
     * One container on the network.
     *
     * @param container the engine's container name
     * @param workload  the Berth workload name when the container is this agent's, else null
     * @param aliases   its aliases on this network (as attached), for a reconnect after a recreate
     */
    public record Member(String container, String workload, List<String> aliases) {
        public Member {
            aliases = List.copyOf(aliases);
        }
    }

    /** The containers on it that are not this agent's workloads: Berth never cuts them off. */
    public List<String> foreign() {
        return members.stream().filter(m -> m.workload() == null).map(Member::container).sorted().toList();
    }
}
