package io.berth.manifest;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code spec.resources}. Limits are required: Berth promises every workload runs under a
 * hard CPU and memory limit, so a manifest without them is refused rather than run unbounded.
 * Requests default to the limits and may not exceed them. Not thread-safe: one per parse.
 */
final class ResourcesParser {

    static final List<String> RESOURCES = List.of("limits", "requests");
    static final List<String> LIMITS = List.of("cpu", "memory", "pids");
    static final List<String> REQUESTS = List.of("cpu", "memory");

    static final long DEFAULT_PIDS = 4096;
    /** Linux's pid_max ceiling (2^22); a larger pids limit cannot mean anything. */
    static final long MAX_PIDS = 4_194_304;
    /** Docker refuses a CFS quota under 1ms per 100ms period, i.e. 0.01 CPU. */
    static final long CONTAINER_MIN_CPU_MILLIS = 10;
    /** Docker refuses a memory limit under 6 MiB. */
    static final long CONTAINER_MIN_MEMORY = 6L << 20;
    /** Below this no guest OS boots; the VM would look hung rather than fail clearly. */
    static final long VM_MIN_MEMORY = 32L << 20;

    private static final String WHY_LIMITS = "Berth runs every workload under hard limits; set limits.cpu like \"500m\" "
            + "and limits.memory like \"256Mi\"";

    private final NodeReader r;

    ResourcesParser(NodeReader reader) {
        this.r = reader;
    }

    /** The resources, or null when anything about them is wrong (errors recorded). */
    Resources parse(Fields spec, Kind kind) {
        Node node = spec.require("resources", WHY_LIMITS);
        Fields res = node == null ? null : r.fields(node, spec.path("resources"), RESOURCES);
        if (res == null) {
            return null;
        }
        boolean vm = kind == Kind.VirtualMachine;
        Map<String, String> pidsElsewhere = vm ? Map.of("pids", "only valid for kind Container") : Map.of();
        Fields limits = res.has("limits") ? res.mapping("limits", vm ? REQUESTS : LIMITS, pidsElsewhere) : missingBlock(res, "limits");
        if (limits == null) {
            readRequests(res, null, null); // still report mistakes there
            return null;
        }
        Long cpu = present(limits, "cpu") ? limits.quantity("cpu", Quantities::parseCpu) : null;
        Long memory = present(limits, "memory") ? limits.quantity("memory", Quantities::parseMemory) : null;
        checkMinimums(limits, kind, cpu, memory);
        long pids = 0;
        if (kind != Kind.VirtualMachine) {
            Long p = limits.integer("pids", 1, MAX_PIDS);
            pids = p != null ? p : DEFAULT_PIDS;
        }
        Limits requests = readRequests(res, cpu, memory);
        if (cpu == null || memory == null || requests == null) {
            return null;
        }
        return new Resources(new Limits(cpu, memory), requests, kind == Kind.Container ? pids : 0);
    }

    private Fields missingBlock(Fields res, String name) {
        res.require(name, WHY_LIMITS);
        return null;
    }

    private boolean present(Fields limits, String name) {
        if (limits.has(name)) {
            return true;
        }
        limits.require(name, WHY_LIMITS);
        return false;
    }

    private void checkMinimums(Fields limits, Kind kind, Long cpu, Long memory) {
        if (kind == Kind.Container && cpu != null && cpu < CONTAINER_MIN_CPU_MILLIS) {
            r.error(limits.get("cpu"), limits.path("cpu"), Quantities.formatCpu(cpu) + " is below Docker's minimum of "
                    + Quantities.formatCpu(CONTAINER_MIN_CPU_MILLIS) + " (valid: at least 10m)");
        }
        if (kind == Kind.Container && memory != null && memory < CONTAINER_MIN_MEMORY) {
            r.error(limits.get("memory"), limits.path("memory"), Quantities.formatMemory(memory)
                    + " is below Docker's minimum of 6Mi (valid: at least 6Mi)");
        }
        if (kind == Kind.VirtualMachine && memory != null && memory < VM_MIN_MEMORY) {
            r.error(limits.get("memory"), limits.path("memory"), Quantities.formatMemory(memory)
                    + " is too little for a virtual machine to boot (valid: at least 32Mi)");
        }
    }

    /** Requests, defaulting each to its limit; null when wrong or when a limit is unknown. */
    private Limits readRequests(Fields res, Long cpuLimit, Long memoryLimit) {
        Fields req = res.mapping("requests", REQUESTS);
        Long cpu = cpuLimit;
        Long memory = memoryLimit;
        if (req != null) {
            if (req.has("cpu")) {
                cpu = req.quantity("cpu", Quantities::parseCpu);
                if (cpu != null && cpuLimit != null && cpu > cpuLimit) {
                    r.error(req.get("cpu"), req.path("cpu"), "request " + Quantities.formatCpu(cpu) + " is more than the limit "
                            + Quantities.formatCpu(cpuLimit) + " (valid: at most limits.cpu)");
                }
            }
            if (req.has("memory")) {
                memory = req.quantity("memory", Quantities::parseMemory);
                if (memory != null && memoryLimit != null && memory > memoryLimit) {
                    r.error(req.get("memory"), req.path("memory"), "request " + Quantities.formatMemory(memory)
                            + " is more than the limit " + Quantities.formatMemory(memoryLimit) + " (valid: at most limits.memory)");
                }
            }
        }
        return cpu == null || memory == null ? null : new Limits(cpu, memory);
    }
}
