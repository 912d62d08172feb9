package io.berth.runtime;

import java.util.List;

/**
 * What a runtime on this host is and can do, probed once (Nomad's fingerprint).
 *
 * @param runtime  e.g. "docker"
 * @param version  the engine's version
 * @param api      the API version the engine speaks
 * @param details  facts worth showing to an operator (cgroup version, hypervisor, ...)
 * @param warnings things that work but not as well as they should on this host
 */
public record Capabilities(String runtime, String version, String api, List<String> details,
                           List<String> warnings) {
}
