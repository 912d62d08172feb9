package io.berth.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name, as the kernel has it (no DNS lookup: it is read on every CLI start). */
public final class Hosts {

    private Hosts() {
    }

    public static String name() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null || h.isBlank() ? "localhost" : h;
        }
    }

    /**
     * The host's CPUs in millicores: every online CPU (/sys/devices/system/cpu/online), not the
     * JVM's own share (a cgroup or affinity limit on Berth is not the host's capacity).
     */
    public static long cpuMillis() {
        return onlineCpus(Path.of("/sys/devices/system/cpu/online")) * 1000L;
    }

    /** Counts a sysfs CPU list file like {@code 0-3,8-11}; the JVM's count when it is unreadable. */
    public static int onlineCpus(Path online) {
        try {
            return countCpuList(Files.readString(online).strip());
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Counts a CPU list like {@code 0-3,8-11}. */
    public static int countCpuList(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int dash = part.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1).strip()) - Integer.parseInt(part.substring(0, dash).strip()) + 1;
        }
        if (n == 0) {
            throw new IllegalArgumentException("empty CPU list");
        }
        return n;
    }

    /** The host's memory in bytes (MemTotal of /proc/meminfo). */
    public static long memoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        throw new IllegalStateException("cannot read MemTotal from /proc/meminfo");
    }
}
