package io.berth.runtime;

import io.berth.manifest.Kind;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One contract for every way Berth runs a workload (Docker containers, libvirt domains), after
 * Nomad's task drivers: list what is ours, inspect, create, start, change limits in place, stop,
 * remove, and say what this host can do.
 *
 * <p>Implementations are thread-safe: the executor calls them from many threads at once, for
 * different workloads. Every call is bounded by a timeout and fails with {@link RuntimeFailure}
 * (the workload's fault or the runtime refused) or {@link RuntimeUnavailableException} (the runtime
 * cannot be reached). Objects without Berth's ownership marks are never listed, changed or
 * removed.
 */
public interface Runtime extends AutoCloseable {

    Kind kind();

    /** What this runtime and host offer; probed once, then cached. */
    Capabilities capabilities();

    /** Every workload of this kind carrying this agent's ownership marks, in any state. */
    List<Observed> list();

    /** The managed workload with this Berth name, if this agent owns one. */
    Optional<Observed> inspect(String name);

    /**
     * Create (not start) the workload with its ownership marks. Blocking. Fails when an object of
     * the same runtime name exists, managed or not: creation never overwrites.
     *
     * @return notes for the operator on how it was created (empty when there is nothing to say)
     */
    List<String> create(Workload workload, Ownership ownership);

    /**
     * Start a created or stopped workload. Idempotent on a running one.
     *
     * @return notes for the operator on how it was started (empty when there is nothing to say)
     */
    List<String> start(String name);

    /** Apply new hard limits to an existing workload without recreating it. */
    void updateLimits(String name, Resources resources);

    /**
     * Apply the in-place changes the planner found ({@code desired} differs from what runs only in
     * fields it marked in place): the limits, and for a VM a larger disk. The default is limits
     * only, all a container can change.
     *
     * @return notes for the operator on what was done (empty when there is nothing to say)
     */
    default List<String> update(Workload desired) {
        updateLimits(desired.name(), desired.resources());
        return List.of();
    }

    /** Stop gracefully, killing after {@code grace}. Idempotent on a stopped one. */
    void stop(String name, Duration grace);

    /**
     * Remove the workload. Idempotent: a missing workload is not an error.
     *
     * @param keepData keep the data it alone owns (a VM's disk) in place for the object that
     *                 replaces it; false moves it out of the way. Data is never deleted here: a VM's
     *                 disk is kept aside for the retention ({@link KeptData}), Docker named volumes
     *                 are always kept.
     */
    void remove(String name, boolean keepData);

    @Override
    void close();
}
