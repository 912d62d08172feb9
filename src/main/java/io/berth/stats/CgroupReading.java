package io.berth.stats;

/**
 * One reading of a cgroup's counters, as the kernel keeps them. Cumulative values (CPU time,
 * throttled time, OOM kills) only make sense as differences between two readings of the same
 * cgroup.
 *
 * @param nanoTime        {@link System#nanoTime()} right before the CPU counter was read
 * @param cpuNanos        CPU time used by every task in the cgroup since it was created
 * @param throttledNanos  time the cgroup's tasks were held back by its CFS quota
 * @param memoryBytes     memory charged to the cgroup, page cache included
 * @param inactiveFile    the reclaimable part of that page cache (inactive file pages)
 * @param oomKills        processes the OOM killer killed in the cgroup
 */
record CgroupReading(long nanoTime, long cpuNanos, long throttledNanos, long memoryBytes, long inactiveFile,
                     long oomKills) {

    /**
     * The working set, as {@code docker stats} and the kubelet compute it: usage minus inactive
     * file pages, which the kernel drops first under pressure (nomad#19604 counted them).
     */
    long workingSetBytes() {
        return inactiveFile >= 0 && inactiveFile < memoryBytes ? memoryBytes - inactiveFile : memoryBytes;
    }
}
