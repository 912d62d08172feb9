package io.berth.manifest;

import java.util.Map;

/** Which hosts may run a workload: a host name and/or labels the host must carry. Either may be empty. */
public record Placement(String host, Map<String, String> labels) {
}
