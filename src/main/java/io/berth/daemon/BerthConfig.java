package io.berth.daemon;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The daemon's configuration (CONTRACT §2): each key is also an environment variable
 * ({@code berth.manifests} = {@code BERTH_MANIFESTS}) and a launcher option of {@code agent serve}.
 * Defaults live here and nowhere else.
 */
@ConfigMapping(prefix = "berth")
public interface BerthConfig {

    /** The watched manifest directory. */
    @WithDefault("/etc/berth/manifests")
    Path manifests();

    /** Berth's state: the API token, VM disks and consoles, cached host facts. */
    @WithDefault(io.berth.util.StateDirs.DEFAULT)
    Path stateDir();

    /** This agent's identity on runtime objects; the host name when unset. */
    Optional<String> agentName();

    /** This host's name for {@code spec.placement.host}; the agent name when unset. */
    Optional<String> hostName();

    /** This host's labels for {@code spec.placement.labels}, written {@code zone=eu,disk=ssd}. */
    Optional<String> hostLabels();

    /** How often everything is re-listed and re-checked, whatever the events said. */
    @WithDefault("10s")
    Duration resyncInterval();

    /** Report drift without repairing it. */
    @WithDefault("false")
    boolean detectOnly();

    /** Workloads reconciled at once. */
    @WithDefault("8")
    int workers();

    /** Seconds a workload gets to stop before it is killed. */
    @WithDefault("10s")
    Duration gracePeriod();

    /**
     * VM images directories (colon-separated; default /var/lib/berth/images): the only host paths a
     * manifest may name.
     */
    Optional<String> imageDirs();

    /** Allow privileged containers (root on the host). Denied by default, with an error at plan time. */
    @WithDefault("false")
    boolean allowPrivileged();

    /** How long {@code POST /api/v1/apply} and DELETE wait for the reconciles they cause. */
    @WithDefault("10m")
    Duration applyTimeout();

    AdmissionConfig admission();

    RestartConfig restart();

    RetentionConfig retention();

    /** How long Berth keeps data it moved aside instead of deleting it. */
    interface RetentionConfig {
        /**
         * A deleted (or replaced) VM's disk and console log, under {@code STATE/deleted/NAME/STAMP/}:
         * restorable with {@code agent restore NAME --deleted} until then, removed by the daemon after.
         */
        @WithDefault("72h")
        Duration deleted();
    }


    /** What workloads may reserve: capacity minus reservations, times the overcommit ratios. */
    interface AdmissionConfig {
        /** CPU kept for the host itself (cores: "0.5", "500m"). */
        @WithDefault("0")
        String reservedCpu();

        /** Memory kept for the host itself (the OS, dockerd, libvirtd, Berth). */
        @WithDefault("256Mi")
        String reservedMemory();

        /** Requests may add up to this many times the allocatable CPU. */
        @WithDefault("1.0")
        double cpuOvercommit();

        /** Requests may add up to this many times the allocatable memory. */
        @WithDefault("1.0")
        double memoryOvercommit();
    }

    /** Berth's restart back-off (restartPolicy and failed health checks). */
    interface RestartConfig {
        /** The wait before the second restart in a row; the first is immediate. */
        @WithDefault("1s")
        Duration initialBackoff();

        /** The longest wait between restarts. */
        @WithDefault("5m")
        Duration maxBackoff();

        /**
         * Up this long after a restart, and the back-off starts over (Docker's rule: a workload that
         * ran 10 s was not crash-looping, so a hand-made kill every so often is repaired at once).
         */
        @WithDefault("10s")
        Duration resetAfter();
    }
}
