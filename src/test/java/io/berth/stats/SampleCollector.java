package io.berth.stats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects a sampler's snapshots as they are published, for tests against the real runtimes. */
final class SampleCollector implements AutoCloseable {

    private final BlockingQueue<StatsSnapshot> queue = new LinkedBlockingQueue<>();
    private final AutoCloseable subscription;

    SampleCollector(Sampler sampler) {
        this.subscription = sampler.subscribe(queue::add);
    }

    /** The next {@code n} samples of workload {@code name}, each from its own snapshot. */
    List<WorkloadSample> next(String name, int n, Duration timeout) throws InterruptedException {
        List<WorkloadSample> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            StatsSnapshot s = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new AssertionError("only " + out.size() + " of " + n + " samples of " + name + " within " + timeout);
            }
            s.workload(name).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Collects samples of {@code name} until the last {@code window} of them have a CPU median in
     * [lo, hi], or {@code max} samples were seen; returns all of them (the window last). Fails
     * with every value seen when no window qualified.
     */
    List<WorkloadSample> windowAtMedian(String name, int window, int max, double lo, double hi, Duration timeout)
            throws InterruptedException {
        List<WorkloadSample> all = new ArrayList<>();
        // the first sample's interval may predate the workload's steady state
        next(name, 1, timeout);
        while (all.size() < max) {
            all.add(next(name, 1, timeout).getFirst());
            if (all.size() >= window) {
                double m = median(all.subList(all.size() - window, all.size()).stream()
                        .map(x -> x.cpu().usageCores()).toList());
                if (m >= lo && m <= hi) {
                    return all;
                }
            }
        }
        throw new AssertionError("no " + window + " consecutive samples of " + name + " with a median usage in ["
                + lo + ", " + hi + "]: " + all.stream().map(x -> x.cpu().usageCores()).toList());
    }

    /** Waits for the first sample of {@code name} that satisfies {@code condition}. */
    WorkloadSample until(String name, Predicate<WorkloadSample> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        WorkloadSample last = null;
        while (System.nanoTime() < deadline) {
            StatsSnapshot s = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                break;
            }
            WorkloadSample w = s.workload(name).orElse(null);
            if (w != null) {
                last = w;
                if (condition.test(w)) {
                    return w;
                }
            }
        }
        throw new AssertionError("no matching sample of " + name + " within " + timeout + "; last: " + last);
    }

    /** The next snapshot published. */
    StatsSnapshot nextSnapshot(Duration timeout) throws InterruptedException {
        StatsSnapshot s = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("no snapshot within " + timeout);
        }
        return s;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
