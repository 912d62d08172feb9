package io.berth.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code dependsOn} graph of a set of workloads: its cycles (for validation) and a start order
 * (dependencies first). Edges to names outside the set and self-references are ignored here (they
 * are reported on their own). Pure and thread-safe.
 */
public final class DependencyGraph {

    private DependencyGraph() {
    }

    /**
     * Every distinct cycle, each as the names along it with the first repeated at the end
     * ({@code [a, b, c, a]}), starting at the workload loaded first among its members.
     */
    public static List<List<String>> cycles(List<Workload> workloads) {
        Map<String, List<String>> edges = edges(workloads);
        Map<String, Integer> rank = new HashMap<>();
        workloads.forEach(w -> rank.putIfAbsent(w.name(), rank.size()));
        Set<String> done = new HashSet<>();
        Set<List<String>> found = new LinkedHashSet<>();
        for (String start : edges.keySet()) {
            walk(start, edges, new ArrayList<>(), done, found, rank);
        }
        return List.copyOf(found);
    }

    private static void walk(String n, Map<String, List<String>> edges, List<String> path, Set<String> done,
                             Set<List<String>> found, Map<String, Integer> rank) {
        int at = path.indexOf(n);
        if (at >= 0) {
            found.add(rotate(path.subList(at, path.size()), rank));
            return;
        }
        if (done.contains(n)) {
            return;
        }
        path.add(n);
        for (String next : edges.getOrDefault(n, List.of())) {
            walk(next, edges, path, done, found, rank);
        }
        path.removeLast();
        done.add(n);
    }

    /** The cycle starting at its earliest-loaded member, closed: [b, c, a] becomes [a, b, c, a]. */
    private static List<String> rotate(List<String> cycle, Map<String, Integer> rank) {
        int first = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (rank.get(cycle.get(i)) < rank.get(cycle.get(first))) {
                first = i;
            }
        }
        List<String> out = new ArrayList<>(cycle.subList(first, cycle.size()));
        out.addAll(cycle.subList(0, first));
        out.add(out.getFirst());
        return List.copyOf(out);
    }

    /**
     * The names in an order where each comes after everything it depends on within the set, and
     * otherwise in the given order. Members of a cycle (already a validate error) keep their place.
     */
    public static List<String> startOrder(List<Workload> workloads) {
        Map<String, List<String>> edges = edges(workloads);
        Set<String> placed = new LinkedHashSet<>();
        Set<String> visiting = new HashSet<>();
        for (String n : edges.keySet()) {
            place(n, edges, placed, visiting);
        }
        return List.copyOf(placed);
    }

    private static void place(String n, Map<String, List<String>> edges, Set<String> placed, Set<String> visiting) {
        if (placed.contains(n) || !visiting.add(n)) {
            return;
        }
        for (String dep : edges.getOrDefault(n, List.of())) {
            place(dep, edges, placed, visiting);
        }
        placed.add(n);
    }

    /** name to the names it depends on that are in the set (not itself), in load order. */
    private static Map<String, List<String>> edges(List<Workload> workloads) {
        Set<String> names = new HashSet<>();
        workloads.forEach(w -> names.add(w.name()));
        Map<String, List<String>> edges = new LinkedHashMap<>();
        for (Workload w : workloads) {
            edges.putIfAbsent(w.name(), w.dependsOn().stream().map(Dependency::name)
                    .filter(d -> names.contains(d) && !d.equals(w.name())).toList());
        }
        return edges;
    }
}
