package io.berth.plan;

import io.berth.manifest.ContainerSpec;
import io.berth.manifest.ContainerSpec.RestartPolicy;
import io.berth.manifest.Kind;
import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestException;
import io.berth.manifest.Quantities;
import io.berth.manifest.Redaction;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.WorkloadState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The planner: a pure function of (desired, observed) to a {@link Plan}. No I/O, no clock, no
 * randomness, so the plan {@code agent plan} prints is exactly what {@code agent apply} carries
 * out, and it is unit-tested from fixtures.
 *
 * <p>Spec fields are compared with the spec Berth recorded at creation (so defaults the runtime
 * fills in never show as changes); limits are compared with what the runtime enforces now (so a
 * limit changed by hand shows as drift, and an in-place update is not undone by stale records).
 * A VM's disk follows {@link DiskRules}: it grows in place, never shrinks, survives a recreate
 * unless its image changed, and a VM whose record cannot be read is left alone.
 * Both sides are compared {@linkplain Redaction redacted}: the record holds digests of secret
 * values (or, written by an older Berth, the values in clear), so the desired values are digested
 * with the same host key and a plan can say a secret changed without ever holding it in clear.
 */
public final class Planner {

    private Planner() {
    }

    public static Plan plan(List<Workload> desired, List<Observed> observed, PlanOptions options) {
        Map<String, Observed> byName = new HashMap<>();
        for (Observed o : observed) {
            byName.put(o.name(), o);
        }
        Set<String> desiredNames = desired.stream().map(Workload::name).collect(Collectors.toSet());
        List<Action> actions = new ArrayList<>();
        for (Workload d : desired) {
            actions.add(decide(d, byName.get(d.name()), options.redaction()));
        }
        if (options.prune()) {
            for (Observed o : observed) {
                if (!desiredNames.contains(o.name()) && options.sources().contains(o.source())) {
                    actions.add(unreadableVm(o) ? DiskRules.unreadable(o, null)
                            : new Action.Delete(o, "no longer declared in " + o.source() + DiskRules.deleted(o)));
                }
            }
        }
        actions.sort(Comparator.comparing(Action::name));
        // A manifest asking for what would lose data (a smaller disk) is refused whole, like an
        // invalid one: nothing of it is applied.
        List<ManifestError> refused = actions.stream().filter(a -> a instanceof Action.Refused r && r.error() != null)
                .map(a -> ((Action.Refused) a).error()).sorted(ManifestError.BY_POSITION).toList();
        if (!refused.isEmpty()) {
            throw new ManifestException(refused);
        }
        return new Plan(List.copyOf(actions));
    }

    /** The refusal to touch a VM whose recorded spec cannot be read (see {@link #unreadableVm}). */
    public static Action.Refused unreadable(Observed o) {
        return DiskRules.unreadable(o, null);
    }

    /** A VM whose recorded spec cannot be read: never deleted, recreated or changed. */
    public static boolean unreadableVm(Observed o) {
        return o.kind() == Kind.VirtualMachine && o.applied() == null;
    }

    /**
     * The decision for one workload: what {@link #plan} does per name, for the daemon's per-name
     * reconcile. A change that would lose data is an {@link Action.Refused}, never thrown.
     */
    public static Action decide(Workload d, Observed o, Redaction redaction) {
        if (o == null) {
            return new Action.Create(d, "not present on this host" + DiskRules.download(d));
        }
        if (unreadableVm(o)) {
            return DiskRules.unreadable(o, d);
        }
        if (o.kind() != d.kind()) {
            return new Action.Recreate(d, o, List.of(new FieldChange("kind", o.kind().name(), d.kind().name(),
                    false, "a workload cannot change kind")), false, "kind changed" + DiskRules.recreated(d, o, true));
        }
        if (o.applied() == null) {
            return new Action.Recreate(d, o, List.of(), false,
                    "its recorded spec is missing or unreadable, so Berth cannot tell what it runs");
        }
        Action.Refused shrink = DiskRules.shrink(d, o);
        if (shrink != null) {
            return shrink;
        }
        if (o.state() == WorkloadState.Dead) {
            return new Action.Recreate(d, o, List.of(), true, "the runtime reports it dead" + DiskRules.recreated(d, o, false));
        }
        List<FieldChange> changes = new ArrayList<>(limitChanges(d, o));
        // Compare everything else with the recorded spec; limits were compared with the runtime above.
        // Requests left to default to the limits follow them on both sides, so they are no change of their own.
        Resources recorded = o.applied().resources();
        boolean requestsFollowLimits = recorded.requests().equals(recorded.limits())
                && d.resources().requests().equals(d.resources().limits());
        Workload appliedWithDesiredLimits = o.applied().withResources(new Resources(d.resources().limits(),
                requestsFollowLimits ? d.resources().requests() : recorded.requests(), d.resources().pids()));
        boolean replacesDisk = DiskRules.replacesDisk(d, o);
        for (String[] c : SpecDiff.diff(redaction.redact(appliedWithDesiredLimits), redaction.redact(d))) {
            if (c[0].equals(DiskRules.SIZE) && !replacesDisk) {
                changes.add(DiskRules.growth(d, o)); // a kept disk only grows (a shrink was refused above)
                continue;
            }
            boolean live = ChangePolicy.inPlace(d.kind(), c[0]);
            changes.add(new FieldChange(c[0], c[1], c[2], live,
                    live ? ChangePolicy.NETWORKS_WHY : ChangePolicy.recreateReason(d.kind(), c[0])));
        }
        List<FieldChange> recreating = changes.stream().filter(c -> !c.inPlace()).toList();
        if (!recreating.isEmpty()) {
            List<String> rotated = recreating.stream().map(c -> Redaction.secretName(c.field())).toList();
            String why = !rotated.contains(null) ? "secret changed: " + String.join(", ", rotated)
                    : recreating.size() == 1 ? recreating.getFirst().field() + " cannot change in place"
                    : recreating.size() + " fields cannot change in place";
            return new Action.Recreate(d, o, List.copyOf(changes), !replacesDisk, why + DiskRules.recreated(d, o, replacesDisk));
        }
        String startReason = startReason(d, o);
        if (!changes.isEmpty()) {
            boolean grows = changes.stream().anyMatch(c -> c.field().equals(DiskRules.SIZE));
            boolean networks = changes.stream().anyMatch(c -> c.field().equals(ChangePolicy.NETWORKS));
            boolean limits = changes.stream().anyMatch(c -> !c.field().equals(DiskRules.SIZE) && !c.field().equals(ChangePolicy.NETWORKS));
            String why = grows && !limits ? "its disk grows" : grows ? "its disk grows and limits differ from what the runtime enforces"
                    : "limits differ from what the runtime enforces";
            return new Action.UpdateInPlace(d, o, List.copyOf(changes), startReason != null,
                    !networks ? why : limits || grows ? why + "; networks: connected and disconnected in place" : "networks");
        }
        if (startReason != null) {
            return new Action.Start(d, o, startReason);
        }
        return new Action.Unchanged(d, o, o.state() == WorkloadState.Exited
                ? "exited with code " + o.exitCode() + "; restartPolicy keeps it stopped"
                : "up to date");
    }

    /** Desired limits against the limits the runtime reports enforcing. */
    static List<FieldChange> limitChanges(Workload d, Observed o) {
        ObservedLimits now = o.limits();
        Resources want = d.resources();
        List<FieldChange> out = new ArrayList<>();
        // A runtime whose limit changes do not last (Podman 4.3) recreates: every limit change says why.
        boolean fixed = d.kind() == Kind.Container && now.fixedBy() != null;
        String inPlace = fixed ? now.fixedBy() : ChangePolicy.inPlaceReason(d.kind());
        if (now.cpuMillis() != want.limits().cpuMillis()) {
            boolean live = d.kind() == Kind.Container ? !fixed
                    : vcpus(now.cpuMillis()) == vcpus(want.limits().cpuMillis());
            out.add(new FieldChange(ChangePolicy.LIMITS + "cpu", cpu(now.cpuMillis()),
                    Quantities.formatCpu(want.limits().cpuMillis()), live,
                    live ? inPlace : "the number of vCPUs (ceil of cpu) changes"));
        }
        if (now.memoryBytes() != want.limits().memoryBytes()) {
            boolean live = d.kind() == Kind.Container ? !fixed : want.limits().memoryBytes() <= now.memoryMaxBytes();
            out.add(new FieldChange(ChangePolicy.LIMITS + "memory", memory(now.memoryBytes()),
                    Quantities.formatMemory(want.limits().memoryBytes()), live, d.kind() == Kind.Container ? inPlace
                    : live ? "the balloon gives a running domain memory up to its defined maximum ("
                            + Quantities.formatMemory(now.memoryMaxBytes()) + ")"
                    : "above the domain's defined maximum (" + memory(now.memoryMaxBytes()) + ")"));
        }
        if (d.kind() == Kind.Container) {
            if (now.pids() != want.pids()) {
                out.add(new FieldChange(ChangePolicy.LIMITS + "pids", now.pids() == 0 ? "unlimited"
                        : Long.toString(now.pids()), Long.toString(want.pids()), !fixed, inPlace));
            }
            if (now.memorySwapBytes() != now.memoryBytes()) {
                out.add(new FieldChange(ChangePolicy.LIMITS + "memory (swap)",
                        now.memorySwapBytes() <= 0 ? "unlimited" : memory(now.memorySwapBytes()),
                        Quantities.formatMemory(want.limits().memoryBytes()) + " (= memory: no swap)", !fixed,
                        fixed ? inPlace : "swap must equal memory or the memory limit is not hard"));
            }
        }
        return out;
    }

    /** Why a present but not running workload should be started, or null to leave it. */
    static String startReason(Workload d, Observed o) {
        return switch (o.state()) {
            case Created -> "created but never started (an earlier apply was interrupted)";
            case Exited -> switch (d.spec() instanceof ContainerSpec c ? c.restartPolicy() : RestartPolicy.Always) {
                case Always -> "exited with code " + o.exitCode() + "; restartPolicy is Always";
                case OnFailure -> o.exitCode() != null && o.exitCode() != 0
                        ? "failed with code " + o.exitCode() + "; restartPolicy is OnFailure" : null;
                case Never -> null;
            };
            default -> null;
        };
    }

    private static long vcpus(long millis) {
        return (millis + 999) / 1000;
    }

    private static String cpu(long millis) {
        return millis == 0 ? "unlimited" : Quantities.formatCpu(millis);
    }

    private static String memory(long bytes) {
        return bytes == 0 ? "unlimited" : Quantities.formatMemory(bytes);
    }
}
