package io.berth.runtime;

import java.util.function.Consumer;

/**
 * An optional runtime feature (Nomad-style small extra interface): tell the caller which managed
 * workloads just changed in the runtime (stopped, killed, removed, updated by hand), so drift is
 * repaired on the event instead of at the next resync. Level-triggered: only names are passed;
 * the reconciler re-reads everything.
 */
public interface EventSource {

    /**
     * Starts watching in the background until the returned handle is closed. Reconnects by itself
     * after the runtime goes away and comes back; {@code onReconnect} is called then, because
     * events were missed and everything must be re-read.
     */
    AutoCloseable watch(Consumer<String> onName, Runnable onReconnect);
}
