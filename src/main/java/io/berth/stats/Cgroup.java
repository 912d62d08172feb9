package io.berth.stats;

/**
 * Where one workload's counters live in the cgroup file system, for either cgroup version.
 * Immutable; {@link #read} is cheap (four or five small files) and allocates one record.
 */
sealed interface Cgroup {

    /** Reads the counters now, or returns null when the cgroup is gone (the workload stopped). */
    CgroupReading read(FileReads files);

    /** The memory limit the kernel enforces on the cgroup, 0 when there is none or it is unreadable. */
    long memoryLimit(FileReads files);

    /**
     * cgroup v1: each controller has its own directory (cpu and cpuacct are often, not always,
     * mounted together). Working set from {@code total_inactive_file}, the hierarchical value that
     * {@code docker stats} uses, so child cgroups are included.
     */
    record V1(String cpuacctUsage, String cpuStat, String memoryUsage, String memoryStat, String oomControl,
              String memoryLimit) implements Cgroup {

        /** v1 writes "no limit" as the largest page-aligned value, 9223372036854771712 on 4 KiB pages. */
        static final long V1_UNLIMITED_FROM = 1L << 62;

        static final byte[] THROTTLED_TIME = CgroupText.key("throttled_time");
        static final byte[] TOTAL_INACTIVE_FILE = CgroupText.key("total_inactive_file");
        static final byte[] OOM_KILL = CgroupText.key("oom_kill");

        /** The cgroup whose controller directories are these (absolute paths). */
        static V1 of(String cpuDir, String cpuacctDir, String memoryDir) {
            return new V1(cpuacctDir + "/cpuacct.usage", cpuDir + "/cpu.stat", memoryDir + "/memory.usage_in_bytes",
                    memoryDir + "/memory.stat", memoryDir + "/memory.oom_control", memoryDir + "/memory.limit_in_bytes");
        }

        @Override
        public long memoryLimit(FileReads files) {
            long v = files.single(memoryLimit);
            return v <= 0 || v >= V1_UNLIMITED_FROM ? 0 : v;
        }

        @Override
        public CgroupReading read(FileReads files) {
            long now = System.nanoTime();
            long cpuNanos = files.single(cpuacctUsage);
            if (cpuNanos < 0) {
                return null;
            }
            long throttled = files.read(cpuStat) ? files.keyed(THROTTLED_TIME) : CgroupText.ABSENT;
            long usage = files.single(memoryUsage);
            long inactive = files.read(memoryStat) ? files.keyed(TOTAL_INACTIVE_FILE) : CgroupText.ABSENT;
            long ooms = files.read(oomControl) ? files.keyed(OOM_KILL) : CgroupText.ABSENT;
            return new CgroupReading(now, cpuNanos, Math.max(0, throttled), Math.max(0, usage), inactive,
                    Math.max(0, ooms));
        }
    }

    /** cgroup v2: one directory; CPU and throttling in microseconds in {@code cpu.stat}. */
    record V2(String cpuStat, String memoryCurrent, String memoryStat, String memoryEvents, String memoryMax)
            implements Cgroup {

        static final byte[] USAGE_USEC = CgroupText.key("usage_usec");
        static final byte[] THROTTLED_USEC = CgroupText.key("throttled_usec");
        static final byte[] INACTIVE_FILE = CgroupText.key("inactive_file");
        static final byte[] OOM_KILL = CgroupText.key("oom_kill");

        static V2 of(String dir) {
            return new V2(dir + "/cpu.stat", dir + "/memory.current", dir + "/memory.stat", dir + "/memory.events",
                    dir + "/memory.max");
        }

        @Override
        public long memoryLimit(FileReads files) {
            long v = files.single(memoryMax);
            return v <= 0 || v == CgroupText.UNLIMITED ? 0 : v;
        }

        @Override
        public CgroupReading read(FileReads files) {
            long now = System.nanoTime();
            if (!files.read(cpuStat)) {
                return null;
            }
            long usage = files.keyed(USAGE_USEC);
            long throttled = files.keyed(THROTTLED_USEC);
            long memory = files.single(memoryCurrent);
            long inactive = files.read(memoryStat) ? files.keyed(INACTIVE_FILE) : CgroupText.ABSENT;
            long ooms = files.read(memoryEvents) ? files.keyed(OOM_KILL) : CgroupText.ABSENT;
            return new CgroupReading(now, Math.max(0, usage) * 1000, Math.max(0, throttled) * 1000,
                    Math.max(0, memory), inactive, Math.max(0, ooms));
        }
    }
}
