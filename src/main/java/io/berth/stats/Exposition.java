package io.berth.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Keeps the whole {@code /q/metrics} exposition clean for Prometheus' own checker
 * ({@code promtool check metrics}), not only Berth's families: every family has a HELP line, no HELP
 * holds a double quote, and no name breaks Prometheus' naming rules. The daemon installs
 * {@link #filter()} on its registry and binds {@link #processCpu()}; {@code MetricsIT} runs promtool
 * against a real daemon. Stateless and thread-safe.
 *
 * <p>Why a filter and not dropping whole binders: the JVM, HTTP and Netty meters are useful; only
 * their descriptions and two names are at fault.
 * <ul>
 * <li>Micrometer's processor binder writes {@code The "cpu time"} and {@code The "recent cpu usage"}
 * in three HELP strings. OpenMetrics escapes those quotes as {@code \"}, which the classic text
 * format promtool and older scrapers read cannot parse ("invalid escape sequence"), so the filter
 * rewrites them as single quotes.</li>
 * <li>Meters registered without a description (Vert.x HTTP's long-task timers, Netty's allocator
 * gauges) get one from {@link #HELP}, or a plain one naming the meter.</li>
 * <li>{@link #DENIED} names the meters whose Prometheus names or sample shapes lint cannot accept,
 * with the reason and what to read instead.</li>
 * </ul>
 */
public final class Exposition {

    /** Meters dropped from the exposition, with why. */
    static final Map<String, String> DENIED = Map.of(
            "system.cpu.count", "a gauge named *_count reads as a summary's count to Prometheus; "
                    + "berth_host_cpu_capacity_cores says how many CPUs the host has",
            "process.cpu.time", "nanoseconds in the name (process_cpu_time_ns_total); Prometheus wants base units, "
                    + "so processCpu() exports process_cpu_seconds_total, the name Prometheus' own clients use",
            "http.server.connections", "a long-task timer, which the Prometheus client writes as a summary whose samples "
                    + "(_active_count, _duration_sum) are not a summary's; http_server_active_connections counts open connections");

    /** Descriptions for meters the libraries register without one. */
    static final Map<String, String> HELP = Map.of(
            "http.server.active.requests", "HTTP requests the daemon is serving right now",
            "netty.allocator.memory.used", "Memory Netty's buffer allocator holds",
            "netty.allocator.memory.pinned", "Memory of Netty's buffer allocator in use by buffers",
            "netty.allocator.pooled.arenas", "Arenas of Netty's pooled buffer allocator",
            "netty.allocator.pooled.cache.size", "Cache size of Netty's pooled buffer allocator",
            "netty.allocator.pooled.chunk.size", "Chunk size of Netty's pooled buffer allocator",
            "netty.allocator.pooled.threadlocal.caches", "Thread-local caches of Netty's pooled buffer allocator",
            "netty.eventexecutor.tasks.pending", "Tasks waiting in Netty's event loops");

    private Exposition() {
    }

    /** Denies {@link #DENIED} and gives every other meter a HELP text promtool accepts. */
    public static MeterFilter filter() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return DENIED.containsKey(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                String help = help(id.getName(), id.getDescription());
                return help.equals(id.getDescription()) ? id
                        : new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()), id.getBaseUnit(), help,
                        id.getType());
            }
        };
    }

    /** The HELP text a meter is exported with: its own without double quotes, else one from {@link #HELP}. */
    static String help(String name, String description) {
        if (description == null || description.isBlank()) {
            return HELP.getOrDefault(name, "Micrometer meter " + name + " (registered without a description)");
        }
        return description.replace('"', '\'');
    }

    /** {@code process_cpu_seconds_total}: CPU time of the daemon's JVM process, in seconds. */
    public static MeterBinder processCpu() {
        return registry -> {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                        .baseUnit("seconds").description("CPU time the daemon's JVM process used (user and system)")
                        .register(registry);
            }
        };
    }
}
