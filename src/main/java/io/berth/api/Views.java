package io.berth.api;

import io.berth.api.dto.EventView;
import io.berth.api.dto.LimitsView;
import io.berth.api.dto.WorkloadView;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Quantities;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.reconcile.StatusBook;
import io.berth.runtime.Observed;
import io.berth.source.DesiredState;

import java.util.List;

/**
 * The one shape of workloads and events: turns observed workloads, desired entries and status into
 * the {@link io.berth.api.dto} records (plans and outcomes: {@link io.berth.reconcile.Answers}) the daemon's API answers with and
 * the CLI prints (as a table, JSON or YAML), whether it computed them itself ({@code --local}) or got
 * them from {@code agent serve}: both modes print the same. Pure functions, no state.
 */
public final class Views {

    private Views() {
    }

    /** One managed workload as its runtime reports it. */
    public static WorkloadView observed(Observed o) {
        LimitsView limits = new LimitsView(cpu(o.limits().cpuMillis()), memory(o.limits().memoryBytes()),
                memory(o.limits().memorySwapBytes()), o.limits().pids(),
                o.limits().memoryMaxBytes() > 0 ? memory(o.limits().memoryMaxBytes()) : null);
        return WorkloadView.observed(o.name(), o.kind().name(), o.state().name(), o.exitCode(), o.oomKilled(), o.runtimeId(),
                image(o), o.source(), o.agent(), o.specHash(), limits, o.notes());
    }

    /**
     * One workload as the daemon sees it: what is desired ({@code d}), what runs ({@code o}), what the
     * daemon did last ({@code s}); any may be null but not both {@code d} and {@code o}.
     *
     * @param unavailable the runtimes that did not answer the listing (empty: all did)
     */
    public static WorkloadView workload(String name, DesiredState.Entry d, Observed o, StatusBook.Status s,
                                        List<String> unavailable) {
        WorkloadView base = o != null ? observed(o) : absent(name, d.workload());
        String phase = s != null ? s.phase().name() : o == null ? StatusBook.Phase.Pending.name() : null;
        return base.withStatus(d != null, d == null ? null : d.source(), phase, s == null ? null : s.lastAction(),
                s == null ? null : s.lastError(), s == null ? 0 : s.restarts(), s == null ? null : s.nextAttempt(),
                s == null ? null : s.reconciledAt(), unavailable.isEmpty() ? null : List.copyOf(unavailable));
    }

    /** A desired workload that does not exist on the host (yet): its manifest's limits. */
    private static WorkloadView absent(String name, Workload w) {
        LimitsView limits = new LimitsView(cpu(w.resources().limits().cpuMillis()), memory(w.resources().limits().memoryBytes()),
                null, null, null);
        return WorkloadView.observed(name, w.kind().name(), "Absent", null, false, null, null, null, null, null, limits, List.of());
    }

    public static EventView event(StatusBook.Event e) {
        return new EventView(e.at(), e.name(), e.type(), e.message());
    }

    public static List<EventView> events(List<StatusBook.Event> events) {
        return events.stream().map(Views::event).toList();
    }

    /** The container image, or the VM's base disk image; empty when the recorded spec is unreadable. */
    private static String image(Observed o) {
        if (o.applied() == null) {
            return "";
        }
        return switch (o.applied().spec()) {
            case ContainerSpec c -> c.image();
            case VmSpec v -> v.disk().source();
        };
    }

    public static String cpu(long millis) {
        return millis == 0 ? "unlimited" : Quantities.formatCpu(millis);
    }

    public static String memory(long bytes) {
        return bytes <= 0 ? "unlimited" : Quantities.formatMemory(bytes);
    }
}
