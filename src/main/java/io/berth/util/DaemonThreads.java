package io.berth.util;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread pools for blocking runtime calls. Platform daemon threads, not virtual threads: the
 * runtimes' clients block in native code (JNA unix sockets), which pins virtual threads, and a JVM
 * that ran such pinned calls was measured to take ~0.35 s longer to exit — a third of a no-op
 * {@code agent apply}. Daemon threads never hold the JVM open.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A pool of at most {@code size} threads named {@code name-N}. */
    public static ExecutorService fixed(String name, int size) {
        return Executors.newFixedThreadPool(size, factory(name));
    }

    /**
     * At most {@code size} threads, made on demand and gone after 30 s idle; further tasks queue.
     * For fan-out calls to a daemon (Docker inspects), so connections and threads stay bounded
     * however many objects there are.
     */
    public static ExecutorService bounded(String name, int size) {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(size, size, 30,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), factory(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** An unbounded pool that reuses idle threads. */
    public static ExecutorService cached(String name) {
        return Executors.newCachedThreadPool(factory(name));
    }

    /** One thread named {@code name} for periodic work (a sampler, a timer). */
    public static ScheduledExecutorService scheduled(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static ThreadFactory factory(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
