package io.berth.convert;

import io.berth.manifest.Quantities;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * A service's resources: {@code deploy.resources.limits/reservations} and the older {@code cpus},
 * {@code mem_limit}, {@code mem_reservation} and {@code pids_limit} keys, as Berth's limits and
 * requests. Berth runs only limited workloads, so a service without a CPU or memory limit gets
 * {@link #DEFAULT_CPU} and {@link #DEFAULT_MEMORY}, with a warning naming it. Not thread-safe.
 */
final class Limits {

    static final String DEFAULT_CPU = "1";
    static final String DEFAULT_MEMORY = "512Mi";

    private final Nodes n;
    private final String service;
    private String cpu;
    private String memory;
    private String pids;
    private String requestCpu;
    private String requestMemory;
    private Node requestsAt;

    Limits(Nodes nodes, String service) {
        this.n = nodes;
        this.service = service;
    }

    void read(String key, Node value, String at) {
        switch (key) {
            case "deploy" -> deploy(value, at);
            case "cpus" -> cpu = quantity(value, at, true);
            case "mem_limit" -> memory = quantity(value, at, false);
            case "mem_reservation" -> {
                requestMemory = quantity(value, at, false);
                requestsAt = value;
            }
            case "pids_limit" -> pids(value, at);
            default -> throw new IllegalArgumentException(key);
        }
    }

    private void deploy(Node value, String at) {
        for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(value, at).entrySet()) {
            String p = at + "." + e.getKey();
            Node v = e.getValue().getValueNode();
            switch (e.getKey()) {
                case "resources" -> resources(v, p);
                case "replicas" -> {
                    if (!"1".equals(n.text(v, p))) {
                        n.notCarried(v, p, "Berth runs one container per workload; write one service per replica");
                    }
                }
                default -> n.notCarried(e.getValue().getKeyNode(), p, "a Swarm setting Berth has no equivalent for");
            }
        }
    }

    private void resources(Node value, String at) {
        for (Map.Entry<String, NodeTuple> e : n.mapOrEmpty(value, at).entrySet()) {
            String p = at + "." + e.getKey();
            boolean limits = e.getKey().equals("limits");
            if (!limits && !e.getKey().equals("reservations")) {
                n.notCarried(e.getValue().getKeyNode(), p, "Berth has limits and requests (reservations) only");
                continue;
            }
            for (Map.Entry<String, NodeTuple> r : n.mapOrEmpty(e.getValue().getValueNode(), p).entrySet()) {
                String q = p + "." + r.getKey();
                Node v = r.getValue().getValueNode();
                switch (r.getKey()) {
                    case "cpus" -> {
                        if (limits) {
                            cpu = quantity(v, q, true);
                        } else {
                            requestCpu = quantity(v, q, true);
                            requestsAt = v;
                        }
                    }
                    case "memory" -> {
                        if (limits) {
                            memory = quantity(v, q, false);
                        } else {
                            requestMemory = quantity(v, q, false);
                            requestsAt = v;
                        }
                    }
                    case "pids" -> {
                        if (limits) {
                            pids(v, q);
                        } else {
                            n.notCarried(r.getValue().getKeyNode(), q, "Berth limits processes, it does not reserve them");
                        }
                    }
                    default -> n.notCarried(r.getValue().getKeyNode(), q, "Berth limits CPU, memory and processes only");
                }
            }
        }
    }

    private String quantity(Node value, String at, boolean isCpu) {
        String text = n.text(value, at);
        try {
            return text == null ? null : isCpu ? Words.cpu(text) : Words.memory(text);
        } catch (IllegalArgumentException e) {
            n.notCarried(value, at, e.getMessage());
            return null;
        }
    }

    private void pids(Node value, String at) {
        String text = n.text(value, at);
        if (text != null && text.matches("[1-9][0-9]{0,6}")) {
            pids = text;
        } else if (text != null) {
            n.notCarried(value, at, "\"" + text + "\": Berth always limits processes (1 to 4194304; default 4096)");
        }
    }

    void applyTo(Service s, Node serviceNode) {
        List<String> defaults = new ArrayList<>();
        if (cpu == null) {
            cpu = DEFAULT_CPU;
            defaults.add("cpu " + DEFAULT_CPU);
        }
        if (memory == null) {
            memory = DEFAULT_MEMORY;
            defaults.add("memory " + DEFAULT_MEMORY);
        }
        if (!defaults.isEmpty()) {
            n.warn(serviceNode, service, "no " + (defaults.size() == 2 ? "limits" : defaults.getFirst().split(" ")[0] + " limit")
                    + "; Berth runs only limited workloads, so it gets " + String.join(", ", defaults)
                    + " (set deploy.resources.limits to choose)");
        }
        s.limits.put("cpu", cpu);
        s.limits.put("memory", memory);
        if (pids != null) {
            s.limits.put("pids", Long.parseLong(pids));
        }
        boolean cpuOver = requestCpu != null && Quantities.parseCpu(requestCpu) > Quantities.parseCpu(cpu);
        boolean memoryOver = requestMemory != null && Quantities.parseMemory(requestMemory) > Quantities.parseMemory(memory);
        if (cpuOver || memoryOver) {
            n.notCarried(requestsAt, service + ".deploy.resources.reservations", "a reservation above the limit ("
                    + cpu + " CPU, " + memory + "), which Berth refuses");
            return;
        }
        if (requestCpu != null) {
            s.requests.put("cpu", requestCpu);
        }
        if (requestMemory != null) {
            s.requests.put("memory", requestMemory);
        }
    }
}
