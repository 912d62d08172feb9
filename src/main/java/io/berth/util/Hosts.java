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
        try {
            String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
            long count = 0;
            for (String range : online.split(",")) {
                String[] ends = range.split("-");
                count += ends.length == 1 ? 1 : Long.parseLong(ends[1]) - Long.parseLong(ends[0]) + 1;
            }
            return count * 1000;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors() * 1000L;
        }
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
