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
    @WithDefault("/var/lib/berth")
    Path stateDir();

    /** This agent's identity on runtime objects; the host name when unset. */
    Optional<String> agentName();

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
}
