package io.berth.reconcile;

import io.berth.manifest.CronSchedule;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.Snapshots;
import io.berth.source.DesiredState;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code spec.snapshots} carried out by the daemon: on each {@link #run}, every desired VM with a
 * schedule gets a snapshot (made by {@code scheduled}, named by its UTC minute) when a due time of
 * its schedule has passed since its newest scheduled snapshot — or, before it has any, since the
 * daemon started — so a daemon that was down across due times takes one snapshot when it is back,
 * not one per missed time. After each new one, the scheduled snapshots beyond {@code keep} are
 * deleted, oldest first; manual and automatic snapshots are never touched. Each snapshot and
 * deletion is an event; a failure is an event and a log line, retried at the next due check.
 * Operations hold the name ({@link HeldNames}) like the API's. Thread-safe if run from one thread.
 */
public final class SnapshotSchedules {

    private static final Logger LOG = Logger.getLogger(SnapshotSchedules.class);

    private final DesiredState desired;
    private final RuntimeSet runtimes;
    private final HeldNames held;
    private final WorkQueue<String> queue;
    private final StatusBook book;
    private final Clock clock;
    private final Instant started;
    private final SnapshotMetrics metrics = new SnapshotMetrics(io.micrometer.core.instrument.Metrics.globalRegistry);

    public SnapshotSchedules(DesiredState desired, RuntimeSet runtimes, HeldNames held, WorkQueue<String> queue,
                             StatusBook book, Clock clock) {
        this.desired = desired;
        this.runtimes = runtimes;
        this.held = held;
        this.queue = queue;
        this.book = book;
        this.clock = clock;
        this.started = clock.instant();
    }

    /** Whether a snapshot is due at {@code now}: a due time of {@code schedule} after {@code last} (or the start) has passed. */
    static boolean due(CronSchedule schedule, Instant last, Instant started, Instant now) {
        return !schedule.next(last != null ? last : started).isAfter(now);
    }

    /** The scheduled snapshots to delete so that the newest {@code keep} remain, oldest first. */
    static List<Snapshots.Snapshot> beyondKeep(List<Snapshots.Snapshot> all, int keep) {
        List<Snapshots.Snapshot> scheduled = all.stream().filter(s -> s.madeBy() == Snapshots.MadeBy.scheduled)
                .sorted(Comparator.comparing(Snapshots.Snapshot::created)).toList();
        return scheduled.size() <= keep ? List.of() : scheduled.subList(0, scheduled.size() - keep);
    }

    /** How long past its due time the next scheduled snapshot is, in seconds (0: on time). */
    static double overdue(CronSchedule schedule, Instant last, Instant started, Instant now) {
        Instant due = schedule.next(last != null ? last : started);
        return due.isAfter(now) ? 0 : java.time.Duration.between(due, now).toMillis() / 1000.0;
    }

    /** One look at every schedule, then the snapshot metrics; returns the names that got a snapshot. */
    public List<String> run() {
        List<String> made = new ArrayList<>();
        java.util.Map<String, VmSpec.SnapshotPolicy> policies = new java.util.TreeMap<>();
        for (DesiredState.Entry e : desired.all().values()) {
            Workload w = e.workload();
            if (!(w.spec() instanceof VmSpec v) || v.snapshots() == null) {
                continue;
            }
            policies.put(w.name(), v.snapshots());
            try {
                if (take(w.name(), v.snapshots())) {
                    made.add(w.name());
                }
            } catch (RuntimeFailure ex) {
                LOG.warnf("%s: scheduled snapshot (%s) failed, will try again: %s", w.name(), v.snapshots().schedule(),
                        ex.getMessage());
                book.event(w.name(), "SnapshotFailed", "scheduled snapshot (" + v.snapshots().schedule() + ") failed: "
                        + ex.getMessage());
            }
        }
        metrics(policies);
        return made;
    }

    /** Every VM's snapshots (and the overdue time of each schedule) as metrics. */
    private void metrics(java.util.Map<String, VmSpec.SnapshotPolicy> policies) {
        java.util.Map<String, List<Snapshots.Snapshot>> byName = new java.util.TreeMap<>();
        for (Runtime r : runtimes.all()) {
            if (r instanceof Snapshots s && r.kind() == io.berth.manifest.Kind.VirtualMachine) {
                try {
                    s.snapshots(null).forEach(x -> byName.computeIfAbsent(x.workload(), k -> new ArrayList<>()).add(x));
                } catch (RuntimeException e) {
                    LOG.debugf("snapshot metrics: cannot list snapshots: %s", e.getMessage());
                    return; // keep the last values rather than end every series
                }
            }
        }
        policies.keySet().forEach(n -> byName.computeIfAbsent(n, k -> new ArrayList<>()));
        Instant now = clock.instant();
        List<SnapshotMetrics.Seen> seen = new ArrayList<>();
        byName.forEach((name, list) -> {
            VmSpec.SnapshotPolicy p = policies.get(name);
            Double overdue = p == null ? null : overdue(p.schedule(), list.stream()
                    .filter(x -> x.madeBy() == Snapshots.MadeBy.scheduled).map(Snapshots.Snapshot::created)
                    .max(Comparator.naturalOrder()).orElse(null), started, now);
            seen.add(new SnapshotMetrics.Seen(name, io.berth.manifest.Kind.VirtualMachine.name(), list, overdue));
        });
        metrics.update(seen);
    }

    private boolean take(String name, VmSpec.SnapshotPolicy policy) {
        Snapshots snapshots = runtimeOf(name);
        if (snapshots == null) {
            return false; // not created yet (or not a VM here): the reconcile loop makes it first
        }
        Instant last = snapshots.snapshots(name).stream().filter(s -> s.madeBy() == Snapshots.MadeBy.scheduled)
                .map(Snapshots.Snapshot::created).max(Comparator.naturalOrder()).orElse(null);
        if (!due(policy.schedule(), last, started, clock.instant())) {
            return false;
        }
        held.hold(name, queue, () -> {
            Snapshots.Done d = snapshots.createSnapshot(name, null, Snapshots.MadeBy.scheduled);
            String notes = d.notes().isEmpty() ? "" : ": " + String.join("; ", d.notes());
            book.event(name, "SnapshotCreated", "scheduled snapshot " + d.snapshot().name() + " created (schedule "
                    + policy.schedule() + ", keep " + policy.keep() + ")" + notes);
            LOG.infof("%s: scheduled snapshot %s created (schedule %s)", name, d.snapshot().name(), policy.schedule());
            for (Snapshots.Snapshot old : beyondKeep(snapshots.snapshots(name), policy.keep())) {
                Snapshots.Done gone = snapshots.deleteSnapshot(name, old.name());
                String why = gone.notes().isEmpty() ? "" : ": " + String.join("; ", gone.notes());
                book.event(name, "SnapshotDeleted", "scheduled snapshot " + old.name() + " deleted: more than keep "
                        + policy.keep() + " scheduled snapshots" + why);
                LOG.infof("%s: scheduled snapshot %s deleted (keep %d)", name, old.name(), policy.keep());
            }
            return d;
        });
        return true;
    }

    private Snapshots runtimeOf(String name) {
        Runtime r = runtimes.owner(name).orElse(null);
        return r instanceof Snapshots s && r.kind() == io.berth.manifest.Kind.VirtualMachine ? s : null;
    }
}
