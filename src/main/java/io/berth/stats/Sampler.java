package io.berth.stats;

import io.berth.runtime.EventSource;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.Runtime;
import io.berth.runtime.WorkloadState;
import io.berth.util.DaemonThreads;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Samples every managed workload and the host once per interval, from the kernel's own counters
 * (cgroup files, /proc), never through the runtimes' stats APIs: Docker's costs about a second
 * per container call, while a cgroup read costs microseconds. Thread-safe.
 *
 * <p>Two daemon threads: {@code stats-sampler} reads the files and computes rates (CPU in cores is
 * the CPU-time delta over the wall-time delta between two readings of the same cgroup), and
 * {@code stats-refresh} asks the runtimes which workloads exist and where their cgroups are —
 * every refresh interval, on a runtime event (a container started, stopped, was updated), when a
 * cgroup vanished, or when a desired workload is unknown; at most once per {@link #MIN_GAP}.
 * A workload appears from its second reading on, because a rate needs two.
 */
public final class Sampler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Sampler.class);
    static final Duration MIN_GAP = Duration.ofSeconds(1);
    private static final Duration REFRESH_POLL = Duration.ofMillis(250);

    /** The sampler thread's state for one workload: its last reading, for the next rate. */
    private static final class Target {
        final TargetFinder.Found found;
        CgroupReading last;

        Target(TargetFinder.Found found) {
            this.found = found;
        }

        boolean sameObject(TargetFinder.Found f) {
            return Objects.equals(found.observed().runtimeId(), f.observed().runtimeId())
                    && Objects.equals(found.cgroup(), f.cgroup()) && Objects.equals(found.qemu(), f.qemu());
        }
    }

    private final List<Runtime> runtimes;
    private final Supplier<Set<String>> desired;
    private final Duration interval;
    private final Duration refreshInterval;
    private final TargetFinder finder;
    private final HostReader host;
    private final FileReads files = new FileReads(16 * 1024);
    private final List<Consumer<StatsSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final AtomicReference<List<TargetFinder.Found>> pending = new AtomicReference<>();
    private volatile Set<String> unknownAfterRefresh = Set.of();
    private volatile boolean refreshRequested;
    private volatile StatsSnapshot latest;
    private final CountDownLatch first = new CountDownLatch(1);
    private volatile long samplerCpuNanos;
    private ScheduledExecutorService sampler;
    private ScheduledExecutorService refresher;
    private long lastRefresh;
    /** Owned by the sampler thread; sorted by name, then kind. */
    private Map<String, Target> targets = new TreeMap<>();
    private boolean discovered;

    /**
     * @param desired         names of the workloads that should exist (an unknown one triggers a refresh)
     * @param interval        how often a sample is taken
     * @param refreshInterval how often the runtimes are re-listed without any other reason
     */
    public Sampler(Collection<Runtime> runtimes, Supplier<Set<String>> desired, Duration interval,
                   Duration refreshInterval) {
        this(runtimes, desired, interval, refreshInterval, CgroupLocator.host(), Path.of("/proc"), Path.of("/sys"));
    }

    Sampler(Collection<Runtime> runtimes, Supplier<Set<String>> desired, Duration interval, Duration refreshInterval,
            CgroupLocator locator, Path proc, Path sys) {
        this.runtimes = List.copyOf(runtimes);
        this.desired = desired;
        this.interval = interval;
        this.refreshInterval = refreshInterval;
        this.finder = new TargetFinder(this.runtimes, locator, proc);
        this.host = new HostReader(proc, sys);
    }

    /** Starts both threads; the first snapshot follows the first refresh. Not idempotent. */
    public synchronized void start() {
        refresher = DaemonThreads.scheduled("stats-refresh");
        sampler = DaemonThreads.scheduled("stats-sampler");
        for (Runtime r : runtimes) {
            if (r instanceof EventSource events) {
                try {
                    watches.add(events.watch(name -> refreshRequested = true, () -> refreshRequested = true));
                } catch (RuntimeException e) {
                    LOG.warnf("stats: no %s events (%s); refreshing every %s only", r.kind(), e.getMessage(), refreshInterval);
                }
            }
        }
        refreshRequested = true;
        refresher.scheduleWithFixedDelay(this::maybeRefresh, 0, REFRESH_POLL.toMillis(), TimeUnit.MILLISECONDS);
        sampler.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The newest snapshot, or null before the first one. */
    public StatsSnapshot latest() {
        return latest;
    }

    /**
     * The newest snapshot, waiting at most {@code max} for the first one (a request made just
     * after start gets the first sample rather than an error); null if there is none by then.
     */
    public StatsSnapshot latest(Duration max) throws InterruptedException {
        StatsSnapshot s = latest;
        if (s == null && first.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
            s = latest;
        }
        return s;
    }

    public Duration interval() {
        return interval;
    }

    /** CPU time the sampler thread has used so far (its own cost). */
    public long samplerCpuNanos() {
        return samplerCpuNanos;
    }

    /**
     * Calls {@code listener} on the sampler thread with every new snapshot until the handle is
     * closed. The listener must not block: a slow consumer must drop or keep only the latest.
     */
    public AutoCloseable subscribe(Consumer<StatsSnapshot> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Asks for a refresh of the runtimes' lists (rate-limited). */
    public void requestRefresh() {
        refreshRequested = true;
    }

    private void maybeRefresh() {
        long now = System.nanoTime();
        boolean due = lastRefresh == 0 || now - lastRefresh >= refreshInterval.toNanos()
                || (refreshRequested && now - lastRefresh >= MIN_GAP.toNanos());
        if (!due) {
            return;
        }
        refreshRequested = false;
        lastRefresh = now;
        try {
            List<TargetFinder.Found> found = finder.find();
            Set<String> unknown = new HashSet<>(desired.get());
            found.forEach(f -> unknown.remove(f.observed().name()));
            unknownAfterRefresh = unknown;
            pending.set(found);
        } catch (RuntimeException e) {
            LOG.warnf(e, "stats: refresh failed");
        }
    }

    private void tick() {
        try {
            List<TargetFinder.Found> found = pending.getAndSet(null);
            if (found != null) {
                merge(found);
            }
            if (!discovered) {
                return;
            }
            publish(sample());
            samplerCpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        } catch (RuntimeException e) {
            LOG.warnf(e, "stats: sample failed");
        }
    }

    /** Keeps each workload's last reading across refreshes, as long as it is the same object. */
    private void merge(List<TargetFinder.Found> found) {
        Map<String, Target> next = new TreeMap<>();
        for (TargetFinder.Found f : found) {
            String key = f.observed().name() + '\0' + f.observed().kind();
            Target old = targets.get(key);
            Target t = new Target(f);
            if (old != null && old.sameObject(f)) {
                t.last = old.last;
            }
            next.put(key, t);
        }
        targets = next;
        discovered = true;
    }

    private StatsSnapshot sample() {
        Instant at = Instant.now();
        List<WorkloadSample> out = new ArrayList<>(targets.size());
        double allocatedCores = 0;
        long allocatedBytes = 0;
        boolean vanished = false;
        Set<String> names = new HashSet<>(targets.size() * 2);
        for (Target t : targets.values()) {
            Observed o = t.found.observed();
            names.add(o.name());
            long memoryLimit = t.found.memoryLimit();
            if (holdsResources(o.state())) {
                allocatedCores += o.limits().cpuMillis() / 1000.0;
                allocatedBytes += memoryLimit;
            }
            if (t.found.cgroup() == null && t.found.qemu() == null) {
                out.add(idle(o, memoryLimit, at));
                continue;
            }
            CgroupReading r = t.found.qemu() == null ? t.found.cgroup().read(files) : readQemu(t.found);
            if (r == null) {
                vanished = true; // stopped or replaced since the last refresh
                t.last = null;
                out.add(idle(o, memoryLimit, at));
                continue;
            }
            CgroupReading prev = t.last;
            t.last = r;
            if (prev == null) {
                continue;
            }
            double cores = r.nanoTime() > prev.nanoTime() && r.cpuNanos() >= prev.cpuNanos()
                    ? (double) (r.cpuNanos() - prev.cpuNanos()) / (r.nanoTime() - prev.nanoTime()) : 0;
            out.add(workload(o, memoryLimit, at, cores, r.throttledNanos() / 1e9, r.workingSetBytes(),
                    r.oomKills() > 0 || o.oomKilled()));
        }
        if (vanished || anyUnknown(names)) {
            refreshRequested = true;
        }
        HostReader.Reading h = host.read(files);
        HostSample hs = new HostSample(
                new HostSample.Cpu(h.capacityCores(), round(allocatedCores, 1e4), round(h.usageCores(), 1e4)),
                new HostSample.Memory(h.capacityBytes(), allocatedBytes, h.usageBytes()));
        return new StatsSnapshot(at, hs, out);
    }

    private boolean anyUnknown(Set<String> names) {
        Set<String> wanted = desired.get();
        if (wanted.size() <= names.size() && names.containsAll(wanted)) {
            return false;
        }
        Set<String> known = unknownAfterRefresh;
        for (String n : wanted) {
            if (!names.contains(n) && !known.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsResources(WorkloadState s) {
        return s == WorkloadState.Running || s == WorkloadState.Paused || s == WorkloadState.Restarting;
    }

    private static final byte[] VM_RSS = CgroupText.key("VmRSS");
    /** USER_HZ: /proc counts CPU time in 1/100 s on every Linux architecture Berth runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * A VM: CPU time and resident memory of its QEMU process (utime + stime of all its threads,
     * VmRSS), throttling and OOM kills from its domain's cgroup where libvirt made one. Null
     * when the process is gone.
     */
    private CgroupReading readQemu(TargetFinder.Found f) {
        long now = System.nanoTime();
        if (!files.read(f.qemu().stat())) {
            return null;
        }
        // after "(comm)": state is field 0, utime field 11, stime field 12
        long utime = files.fieldAfterParen(11);
        long stime = files.fieldAfterParen(12);
        if (utime < 0 || stime < 0 || !files.read(f.qemu().status())) {
            return null;
        }
        long rssKb = files.keyed(VM_RSS);
        if (rssKb < 0) {
            return null;
        }
        CgroupReading c = f.cgroup() == null ? null : f.cgroup().read(files);
        return new CgroupReading(now, (utime + stime) * NANOS_PER_TICK, c == null ? 0 : c.throttledNanos(),
                rssKb * 1024, -1, c == null ? 0 : c.oomKills());
    }

    /** A workload that is not running (or whose cgroup is gone): it uses nothing. */
    private static WorkloadSample idle(Observed o, long memoryLimit, Instant at) {
        return workload(o, memoryLimit, at, 0, 0, 0, o.oomKilled());
    }

    private static WorkloadSample workload(Observed o, long memoryLimit, Instant at, double cores, double throttled,
                                           long memory, boolean oom) {
        ObservedLimits l = o.limits();
        Double limitCores = l.cpuMillis() > 0 ? l.cpuMillis() / 1000.0 : null;
        Long limitBytes = memoryLimit > 0 ? memoryLimit : null;
        return new WorkloadSample(o.name(), o.kind(), at,
                new WorkloadSample.Cpu(round(cores, 1e4), limitCores,
                        limitCores == null ? null : round(100 * cores / limitCores, 100), round(throttled, 1e4)),
                new WorkloadSample.Memory(memory, limitBytes,
                        limitBytes == null ? null : round(100.0 * memory / limitBytes, 100)),
                oom);
    }

    private static double round(double v, double scale) {
        return Math.round(v * scale) / scale;
    }

    private void publish(StatsSnapshot s) {
        latest = s;
        first.countDown();
        for (Consumer<StatsSnapshot> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.debugf("stats: a listener failed: %s", e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable w : watches) {
            try {
                w.close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
