package io.berth.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a workload's cgroup on this host, whatever the cgroup version (v1, v2, or the hybrid
 * layout where v1 controllers and an empty v2 tree are both mounted) and whatever Docker's cgroup
 * driver (cgroupfs: {@code /docker/ID}; systemd: {@code /system.slice/docker-ID.scope}), or Podman's
 * (cgroupfs: {@code /libpod_parent/libpod-ID}; systemd: {@code /machine.slice/libpod-ID.scope}).
 * Immutable and thread-safe; the mounts are read once, the lookups touch the file system (only
 * when the sampler refreshes its targets, never per sample).
 *
 * <p>A process's own membership ({@code /proc/PID/cgroup}) is the authority; a container is also
 * found by its id at the drivers' known places, and failing that by a bounded search, so a
 * daemon started with {@code --cgroup-parent} works too.
 */
final class CgroupLocator {

    /** A mounted hierarchy: the cgroup path at its root and where it is mounted. */
    record Mount(String root, String point) {

        /** The directory of a cgroup path (as /proc/PID/cgroup writes it) inside this mount. */
        String dir(String cgroupPath) {
            String rel = cgroupPath;
            if (!root.equals("/") && (rel.equals(root) || rel.startsWith(root + "/"))) {
                rel = rel.substring(root.length());
            }
            return rel.isEmpty() || rel.equals("/") ? point : point + (rel.startsWith("/") ? rel : "/" + rel);
        }
    }

    private static final int SEARCH_DEPTH = 4;

    private final Map<String, Mount> v1;
    private final Mount v2;
    private final Path proc;

    CgroupLocator(Map<String, Mount> v1, Mount v2, Path proc) {
        this.v1 = Map.copyOf(v1);
        this.v2 = v2;
        this.proc = proc;
    }

    /** This host's cgroup mounts, from /proc/self/mountinfo. */
    static CgroupLocator host() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")), Path.of("/proc"));
        } catch (IOException e) {
            return new CgroupLocator(Map.of(), null, Path.of("/proc"));
        }
    }

    /**
     * Reads mountinfo lines ({@code ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE
     * SUPEROPTS}): v1 hierarchies name their controllers in the super options.
     */
    static CgroupLocator parse(String mountinfo, Path proc) {
        Map<String, Mount> v1 = new HashMap<>();
        Mount v2 = null;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 3 >= f.length) {
                continue;
            }
            Mount m = new Mount(unescape(f[3]), unescape(f[4]));
            String type = f[dash + 1];
            if (type.equals("cgroup2")) {
                v2 = m;
            } else if (type.equals("cgroup")) {
                for (String opt : f[dash + 3].split(",")) {
                    if (opt.equals("cpu") || opt.equals("cpuacct") || opt.equals("memory")) {
                        v1.put(opt, m);
                    }
                }
            }
        }
        return new CgroupLocator(v1, v2, proc);
    }

    /** mountinfo escapes blanks and backslashes as octal ({@code \040}). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** v1 when the memory controller is mounted as v1 (also the hybrid layout), else v2. */
    boolean v1() {
        return v1.containsKey("memory") && v1.containsKey("cpu") && v1.containsKey("cpuacct");
    }

    boolean available() {
        return v1() || v2 != null;
    }

    /** The cgroup of a cgroup path that is the same in every hierarchy (Docker's containers). */
    Cgroup at(String cgroupPath) {
        if (v1()) {
            return Cgroup.V1.of(v1.get("cpu").dir(cgroupPath), v1.get("cpuacct").dir(cgroupPath),
                    v1.get("memory").dir(cgroupPath));
        }
        return Cgroup.V2.of(v2.dir(cgroupPath));
    }

    /**
     * A container's cgroup by its full id: Docker's and Podman's cgroupfs and systemd places first, then a search
     * a few levels deep for a directory named after the id.
     */
    Optional<Cgroup> container(String id) {
        if (!available() || id == null || id.isBlank()) {
            return Optional.empty();
        }
        Mount probe = v1() ? v1.get("memory") : v2;
        for (String candidate : List.of("/docker/" + id, "/system.slice/docker-" + id + ".scope",
                "/libpod_parent/libpod-" + id, "/machine.slice/libpod-" + id + ".scope")) {
            if (Files.isDirectory(Path.of(probe.dir(candidate)))) {
                return Optional.of(at(candidate));
            }
        }
        try (Stream<Path> tree = Files.find(Path.of(probe.point()), SEARCH_DEPTH,
                (p, a) -> a.isDirectory() && p.getFileName() != null && p.getFileName().toString().contains(id))) {
            return tree.findFirst().map(p -> at(probe.root().equals("/") ? "/" + Path.of(probe.point()).relativize(p)
                    : probe.root() + "/" + Path.of(probe.point()).relativize(p)));
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /**
     * The cgroup a process belongs to, one level up from libvirt's per-thread groups
     * ({@code emulator}, {@code vcpuN}, {@code iothreadN}), so a QEMU process's cgroup covers its
     * vCPUs and emulator threads, where libvirt applies a domain's global CPU quota.
     */
    Optional<Cgroup> process(long pid) {
        if (!available()) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(proc.resolve(Long.toString(pid)).resolve("cgroup"));
        } catch (IOException e) {
            return Optional.empty();
        }
        Map<String, String> paths = parseProcCgroup(text);
        if (v1()) {
            String cpu = paths.get("cpu");
            String cpuacct = paths.get("cpuacct");
            String memory = paths.get("memory");
            if (cpu == null || cpuacct == null || memory == null) {
                return Optional.empty();
            }
            return Optional.of(Cgroup.V1.of(v1.get("cpu").dir(domainLevel(cpu)),
                    v1.get("cpuacct").dir(domainLevel(cpuacct)), v1.get("memory").dir(domainLevel(memory))));
        }
        String unified = paths.get("");
        return unified == null ? Optional.empty() : Optional.of(Cgroup.V2.of(v2.dir(domainLevel(unified))));
    }

    /**
     * /proc/PID/cgroup: {@code HIERARCHY:CONTROLLERS:PATH} per line; v2's line has no controllers
     * (key ""). Co-mounted controllers ({@code cpu,cpuacct}) are split.
     */
    static Map<String, String> parseProcCgroup(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int a = line.indexOf(':');
            int b = a < 0 ? -1 : line.indexOf(':', a + 1);
            if (b < 0) {
                continue;
            }
            String path = line.substring(b + 1).strip();
            String controllers = line.substring(a + 1, b);
            if (controllers.isEmpty()) {
                out.put("", path);
            }
            for (String c : controllers.split(",")) {
                if (!c.isEmpty()) {
                    out.put(c, path);
                }
            }
        }
        return out;
    }

    /** Strips libvirt's per-thread leaf ({@code /emulator}, {@code /vcpu0}, {@code /iothread1}). */
    static String domainLevel(String path) {
        int slash = path.lastIndexOf('/');
        String leaf = path.substring(slash + 1);
        if (slash > 0 && (leaf.equals("emulator") || leaf.matches("vcpu\\d+") || leaf.matches("iothread\\d+"))) {
            return path.substring(0, slash);
        }
        return path;
    }
}
