package io.berth.stats;

import io.berth.manifest.Kind;
import io.berth.runtime.Observed;
import io.berth.runtime.Runtime;
import io.berth.runtime.UsageSource;
import io.berth.runtime.WorkloadState;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Finds what to sample: every managed workload the runtimes list, and for each running one the
 * kernel files that count it, as its runtime says ({@link UsageSource}): a container's cgroup by its
 * id, a VM's QEMU process and that process's cgroup. This is the only part that calls the
 * runtimes; the sampler calls it seldom (every refresh interval, on a runtime event, or when a
 * cgroup vanished), never per sample. Used from one thread at a time.
 */
final class TargetFinder {

    private static final Logger LOG = Logger.getLogger(TargetFinder.class);

    /**
     * One workload to sample.
     *
     * @param cgroup      where its counters are, null when it is not running (or not found)
     * @param qemu        a VM's QEMU process, null for containers
     * @param memoryLimit the limit its memory usage is measured against: for a container the
     *                    runtime's memory limit; for a VM the hard limit the kernel enforces on the
     *                    QEMU process (guest memory plus QEMU's own headroom, libvirt's memtune),
     *                    because QEMU's resident memory includes that headroom and compared with
     *                    guest memory alone it reads above 100 % (incus#1686); guest memory where
     *                    the domain has no hard limit. 0 when unlimited.
     */
    record Found(Observed observed, Cgroup cgroup, Qemu qemu, long memoryLimit) {

        Found(Observed observed, Cgroup cgroup, Qemu qemu) {
            this(observed, cgroup, qemu, observed.limits().memoryBytes());
        }
    }

    /**
     * A QEMU process's own files: its CPU time (all threads: vCPUs, emulator, I/O) and resident
     * memory. The process, not a cgroup, is the VM's CPU account: libvirt does not always put it
     * in a cpuacct group of its own (with cpu and cpuacct mounted apart it leaves cpuacct at the
     * root, which counts the whole host).
     */
    record Qemu(String stat, String status) {

        static Qemu of(Path proc, long pid) {
            Path dir = proc.resolve(Long.toString(pid));
            return new Qemu(dir.resolve("stat").toString(), dir.resolve("status").toString());
        }
    }

    private final List<Runtime> runtimes;
    private final CgroupLocator locator;
    private final Map<Kind, Runtime> usage = new EnumMap<>(Kind.class);
    private final Path proc;
    /** What each runtime answered last: a runtime that does not answer keeps its workloads. */
    private final Map<Kind, List<Found>> last = new EnumMap<>(Kind.class);
    private final FileReads files = new FileReads(4096);
    private boolean warnedNoCgroups;

    TargetFinder(List<Runtime> runtimes, CgroupLocator locator, Path proc) {
        this.runtimes = List.copyOf(runtimes);
        this.runtimes.forEach(r -> usage.put(r.kind(), r));
        this.locator = locator;
        this.proc = proc;
    }

    /** Lists every runtime (blocking: Docker inspects each container) and locates the running ones. */
    List<Found> find() {
        for (Runtime r : runtimes) {
            try {
                List<Found> found = new ArrayList<>();
                for (Observed o : r.list()) {
                    found.add(locate(o));
                }
                last.put(r.kind(), found);
            } catch (RuntimeException e) {
                LOG.debugf("stats: the %s runtime did not answer (%s); its last list is kept", r.kind(), e.getMessage());
            }
        }
        List<Found> all = new ArrayList<>();
        last.values().forEach(all::addAll);
        return all;
    }

    private Found locate(Observed o) {
        if (o.state() != WorkloadState.Running && o.state() != WorkloadState.Paused
                && o.state() != WorkloadState.Restarting) {
            return new Found(o, null, null);
        }
        if (!locator.available()) {
            if (!warnedNoCgroups) {
                LOG.warn("stats: no cgroup file system found (/proc/self/mountinfo); workload usage reads as 0");
                warnedNoCgroups = true;
            }
            return new Found(o, null, null);
        }
        UsageSource.Target target = usage.get(o.kind()) instanceof UsageSource source
                ? source.usageTarget(o).orElse(null) : null;
        return switch (target) {
            case null -> new Found(o, null, null);
            case UsageSource.Target.Container c -> new Found(o, locator.container(c.id()).orElse(null), null);
            case UsageSource.Target.Process p ->
                    vm(o, locator.process(p.pid()).orElse(null), Qemu.of(proc, p.pid()));
        };
    }

    /** A process-backed workload (a VM's QEMU) is measured against the hard limit on its process's cgroup. */
    private Found vm(Observed o, Cgroup cgroup, Qemu qemu) {
        long hard = cgroup == null ? 0 : cgroup.memoryLimit(files);
        return new Found(o, cgroup, qemu, hard > 0 ? hard : o.limits().memoryBytes());
    }

}
