package io.berth.manifest;

import io.berth.manifest.ContainerSpec.Port;
import io.berth.manifest.ContainerSpec.RestartPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The rules that need every workload of one load at once (one directory, one {@code apply -f} set,
 * one source): no two workloads publish the same host address, port and protocol (an absent
 * {@code hostIP} or {@code 0.0.0.0} overlaps every address), and each {@code dependsOn} names
 * another workload of the load, with a condition that workload can reach, and no cycle. Each error
 * points at the later entry and names the other position. Pure and thread-safe.
 */
public final class LoadChecks {

    private LoadChecks() {
    }

    /** Adds an error for each clash or bad dependency among {@code workloads} to {@code errors}. */
    public static void check(List<Workload> workloads, List<ManifestError> errors) {
        ports(workloads, errors);
        Map<String, Workload> byName = workloads.stream()
                .collect(Collectors.toMap(Workload::name, Function.identity(), (a, b) -> a));
        for (Workload w : workloads) {
            for (int i = 0; i < w.dependsOn().size(); i++) {
                String problem = dependencyProblem(w, w.dependsOn().get(i), byName);
                if (problem != null) {
                    errors.add(new ManifestError(w.at(namePath(i)), namePath(i), problem));
                }
            }
        }
        for (List<String> cycle : DependencyGraph.cycles(workloads)) {
            Workload first = byName.get(cycle.getFirst());
            int i = indexOf(first, cycle.get(1));
            errors.add(new ManifestError(first.at(namePath(i)), namePath(i),
                    "dependency cycle " + String.join(" -> ", cycle) + " (valid: an order without cycles; remove one of these dependsOn entries)"));
        }
    }

    static String namePath(int i) {
        return "spec." + DependsOnParser.FIELD + "[" + i + "].name";
    }

    private static int indexOf(Workload w, String dependency) {
        for (int i = 0; i < w.dependsOn().size(); i++) {
            if (w.dependsOn().get(i).name().equals(dependency)) {
                return i;
            }
        }
        return 0;
    }

    private static String dependencyProblem(Workload w, Dependency d, Map<String, Workload> byName) {
        if (d.name().equals(w.name())) {
            return "a workload cannot depend on itself (valid: another workload's name)";
        }
        Workload target = byName.get(d.name());
        if (target == null) {
            List<String> others = byName.keySet().stream().filter(n -> !n.equals(w.name())).sorted().toList();
            return "unknown workload " + Messages.quote(d.name()) + " (valid: a workload loaded with it"
                    + (others.isEmpty() ? "; none is)" : ": " + Messages.list(others) + ")");
        }
        return switch (d.condition()) {
            case started -> null;
            case healthy -> target.spec() instanceof ContainerSpec c && c.healthCheck() != null ? null
                    : Messages.quote(d.name()) + " has no health check, so it never becomes healthy (valid: condition started"
                    + (target.spec() instanceof ContainerSpec ? ", or give " + d.name() + " a spec.healthCheck)" : "; a VirtualMachine has no health check)");
            case completed -> target.spec() instanceof ContainerSpec c && c.restartPolicy() != RestartPolicy.Always ? null
                    : Messages.quote(d.name()) + (target.spec() instanceof ContainerSpec
                    ? " has restartPolicy Always, so it never completes (valid: condition started, or restartPolicy Never or OnFailure for "
                    + d.name() + ")"
                    : " is a VirtualMachine, which Berth keeps running (valid: condition started)");
        };
    }

    private record Published(Workload workload, int index, Port port) {
        Origin at() {
            return workload.at(path());
        }

        String path() {
            return "spec.ports[" + index + "].hostPort";
        }
    }

    private static void ports(List<Workload> workloads, List<ManifestError> errors) {
        List<Published> seen = new ArrayList<>();
        for (Workload w : workloads) {
            if (!(w.spec() instanceof ContainerSpec c)) {
                continue; // VMs publish no ports of their own (a user network's forwards are in its cloud-init, not Berth's)
            }
            List<Published> mine = new ArrayList<>();
            for (int i = 0; i < c.ports().size(); i++) {
                Port p = c.ports().get(i);
                if (p.hostPort() == 0) {
                    continue;
                }
                Published now = new Published(w, i, p);
                seen.stream().filter(s -> clash(s.port(), p)).findFirst().ifPresent(s -> errors.add(new ManifestError(now.at(), now.path(),
                        "host port " + describe(p) + " is also published by " + Messages.quote(s.workload().name()) + " at " + s.at()
                                + " (valid: each host address, port and protocol published by one workload; 0.0.0.0 or no hostIP means every address)")));
                mine.add(now);
            }
            seen.addAll(mine); // clashes within one workload are the parser's (reported by line)
        }
    }

    /** Same port and protocol, and the same address or either one "every address". */
    static boolean clash(Port a, Port b) {
        return a.hostPort() == b.hostPort() && a.protocol() == b.protocol()
                && (everywhere(a.hostIP()) || everywhere(b.hostIP()) || a.hostIP().equals(b.hostIP()));
    }

    private static boolean everywhere(String ip) {
        return ip == null || ip.equals("0.0.0.0") || ip.equals("::");
    }

    private static String describe(Port p) {
        String ip = p.hostIP() == null ? "" : p.hostIP().contains(":") ? "[" + p.hostIP() + "]:" : p.hostIP() + ":";
        return ip + p.hostPort() + "/" + p.protocol();
    }
}
