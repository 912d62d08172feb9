package io.berth.reconcile;

import io.berth.api.dto.SnapshotAnswer;
import io.berth.api.dto.SnapshotView;
import io.berth.manifest.Kind;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.Snapshots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code agent snapshot create|list|restore|delete}, the one implementation the CLI's local mode
 * and the daemon's {@code /api/v1/workloads/{name}/snapshots} share: finds the runtime holding the
 * workload and answers with the API's records. Containers have no snapshots yet: a
 * {@link Snapshots.Invalid} that says so. Blocking; callers serialise per name (the daemon holds
 * the name, {@link HeldNames}).
 */
public final class SnapshotOps {

    private SnapshotOps() {
    }

    public static SnapshotAnswer create(RuntimeSet runtimes, String name, String snapshot) {
        return answer("created", of(runtimes, name).createSnapshot(name, snapshot));
    }

    /** The snapshots of {@code name}, or of every VM when null. */
    public static List<SnapshotView> list(RuntimeSet runtimes, String name) {
        List<Snapshots.Snapshot> all = new ArrayList<>();
        if (name != null) {
            all.addAll(of(runtimes, name).snapshots(name));
        } else {
            for (Kind k : Kind.values()) {
                runtimes.get(k).filter(r -> r instanceof Snapshots).ifPresent(r -> all.addAll(((Snapshots) r).snapshots(null)));
            }
        }
        return all.stream().map(SnapshotOps::view).toList();
    }

    public static SnapshotAnswer restore(RuntimeSet runtimes, String name, String snapshot, Duration grace) {
        return answer("restored", of(runtimes, name).restoreSnapshot(name, snapshot, grace));
    }

    public static SnapshotAnswer delete(RuntimeSet runtimes, String name, String snapshot) {
        return answer("deleted", of(runtimes, name).deleteSnapshot(name, snapshot));
    }

    private static Snapshots of(RuntimeSet runtimes, String name) {
        Runtime r = runtimes.owner(name).orElseThrow(() -> new Snapshots.NotFound(name, name
                + ": no workload of that name is managed here (see agent get)"));
        if (r.kind() == Kind.Container) {
            throw new Snapshots.Invalid(name, name + ": snapshots of containers are not supported yet (VirtualMachine"
                    + " only in this version); nothing was changed");
        }
        if (!(r instanceof Snapshots s)) {
            throw new Snapshots.Invalid(name, name + ": its runtime keeps no snapshots; nothing was changed");
        }
        return s;
    }

    static SnapshotView view(Snapshots.Snapshot s) {
        return new SnapshotView(s.name(), s.workload(), s.kind().name(), s.created(), s.sizeBytes(), s.madeBy().name(),
                s.layer());
    }

    private static SnapshotAnswer answer(String action, Snapshots.Done d) {
        return new SnapshotAnswer(action, view(d.snapshot()), d.took().toMillis() / 1000.0, d.notes());
    }
}
