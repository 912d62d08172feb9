package io.berth.stats;

import java.nio.file.Path;

/**
 * The host's CPU and memory as the kernel counts them: capacity from the online CPUs and
 * {@code MemTotal}, use from {@code /proc/stat} deltas (busy = all but idle and iowait) and
 * {@code MemTotal - MemAvailable} (what the kernel could not hand out without swapping, so page
 * cache is not "used"). Not thread-safe: the sampler thread owns it.
 */
final class HostReader {

    static final byte[] MEM_TOTAL = CgroupText.key("MemTotal");
    static final byte[] MEM_AVAILABLE = CgroupText.key("MemAvailable");

    private final String stat;
    private final String meminfo;
    private final double cpus;
    private long lastTotal = -1;
    private long lastIdle;

    /** Host capacity and use from files under {@code proc} ({@code /proc}) and {@code sys} ({@code /sys}). */
    HostReader(Path proc, Path sys) {
        this.stat = proc.resolve("stat").toString();
        this.meminfo = proc.resolve("meminfo").toString();
        this.cpus = io.berth.util.Hosts.onlineCpus(sys.resolve("devices/system/cpu/online"));
    }

    record Reading(double capacityCores, double usageCores, long capacityBytes, long usageBytes) {
    }

    Reading read(FileReads files) {
        double used = 0;
        if (files.read(stat)) {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
            long total = 0;
            for (int i = 1; i <= 8; i++) {
                total += Math.max(0, files.field(i));
            }
            long idle = Math.max(0, files.field(4)) + Math.max(0, files.field(5));
            if (lastTotal >= 0 && total > lastTotal) {
                used = cpus * (1.0 - (double) (idle - lastIdle) / (total - lastTotal));
            }
            lastTotal = total;
            lastIdle = idle;
        }
        long memTotal = 0;
        long memAvailable = 0;
        if (files.read(meminfo)) {
            memTotal = Math.max(0, files.keyed(MEM_TOTAL)) * 1024;
            memAvailable = Math.max(0, files.keyed(MEM_AVAILABLE)) * 1024;
        }
        return new Reading(cpus, Math.max(0, used), memTotal, Math.max(0, memTotal - memAvailable));
    }
}
