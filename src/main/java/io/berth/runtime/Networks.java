package io.berth.runtime;

import io.berth.manifest.NetworkManifest;

import java.util.List;

/**
 * The networks Berth makes for workloads to share (CONTRACT §6.3), on the container engine: list
 * this agent's, create, recreate and remove them. Only networks carrying this agent's ownership
 * marks are listed, recreated or removed; one with a network's name that Berth did not make makes
 * create fail instead. Blocking, every call bounded; thread-safe. Fails with {@link RuntimeFailure}
 * or {@link RuntimeUnavailableException}, like {@link Runtime}.
 */
public interface Networks {

    /** This agent's networks, with their members. */
    List<ObservedNetwork> list();

    /**
     * Create the network with its ownership marks: the declared subnet, or one allocated from
     * {@code 10.89.0.0/16} in /24s that overlaps no network of the engine.
     *
     * @return notes for the operator (the subnet allocated)
     */
    List<String> create(NetworkManifest network, Ownership ownership);

    /**
     * Replace the network by one made from {@code network} (subnet and internal cannot change on a
     * Docker network): this agent's containers on it are disconnected first and reconnected after,
     * with the same aliases. Refused when a container that is not this agent's is on it.
     */
    List<String> recreate(NetworkManifest network, Ownership ownership);

    /** Remove it; refused, naming them, while any container is still on it. Idempotent on a missing one. */
    void remove(String name);
}
