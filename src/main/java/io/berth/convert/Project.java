package io.berth.convert;

import java.nio.file.Path;
import java.util.Map;

/**
 * What every service of one Compose file is converted against: the project's names and the Berth
 * names of its top-level networks, volumes, file secrets and services.
 *
 * @param composeName the project name as Compose writes it into volume names ({@code shop})
 * @param label       the project name as a DNS label, prefixing network names
 * @param dir         the Compose file's directory, which relative secret files are under
 * @param networks    Compose network key to Berth network name
 * @param volumes     Compose volume key to Docker volume name
 * @param secrets     Compose secret key to its file (absolute)
 * @param services    Compose service name to Berth workload name
 */
record Project(String composeName, String label, Path dir, Map<String, String> networks, Map<String, String> volumes,
               Map<String, String> secrets, Map<String, String> services) {

    static final String DEFAULT_NETWORK = "default";
}
