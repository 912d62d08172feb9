package io.berth.plan;

import io.berth.manifest.Kind;
import io.berth.manifest.ManifestError;
import io.berth.manifest.Quantities;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;

/**
 * The planner's rules for a VM's disk, where data lives (CONTRACT §6.1): a larger
 * {@code spec.disk.size} grows the disk in place; a smaller one is refused at the field's position;
 * a recreate keeps the disk unless {@code spec.disk.image} changed (another path, or another URL or
 * sha256), and then the old disk is kept
 * aside, never deleted; a VM whose recorded spec cannot be read is left alone. Pure.
 */
final class DiskRules {

    static final String SIZE = "spec.disk.size";
    static final String IMAGE = "spec.disk.image";
    static final String GROWS = "a disk grows in place: live while the domain runs (virDomainBlockResize),"
            + " else qemu-img resize of its overlay";

    private DiskRules() {
    }

    /** Whether the recreate of {@code d} over {@code o} replaces the disk: its source changed. */
    static boolean replacesDisk(Workload d, Observed o) {
        if (o.kind() != Kind.VirtualMachine || d.kind() != Kind.VirtualMachine) {
            return o.kind() == Kind.VirtualMachine; // a VM turned into a container: its disk goes aside
        }
        return !disk(d).sameBase(disk(o.applied()));
    }

    /** The refusal of a disk that would get smaller while it is kept, or null. */
    static Action.Refused shrink(Workload d, Observed o) {
        if (d.kind() != Kind.VirtualMachine || o.kind() != Kind.VirtualMachine || replacesDisk(d, o)) {
            return null;
        }
        long from = disk(o.applied()).sizeBytes();
        long to = disk(d).sizeBytes();
        if (from == 0 || to >= from && to != 0) {
            return null; // no size recorded (the base's): any size is at least as large, the runtime checks
        }
        String size = to == 0 ? "the base image's size" : Quantities.formatMemory(to);
        ManifestError e = new ManifestError(d.at(SIZE), SIZE, "cannot shrink a disk from "
                + Quantities.formatMemory(from) + " to " + size + " (Berth never discards disk data; valid: "
                + Quantities.formatMemory(from) + " or more, or a new spec.disk.image, which replaces the disk and"
                + " keeps the old one aside)");
        return new Action.Refused(o, d, e, e.toString());
    }

    /** A larger size, as the in-place change it is; null when the size did not change. */
    static FieldChange growth(Workload d, Observed o) {
        long from = disk(o.applied()).sizeBytes();
        long to = disk(d).sizeBytes();
        if (from == to) {
            return null;
        }
        return new FieldChange(SIZE, from == 0 ? SpecDiff.NONE : Quantities.formatMemory(from),
                Quantities.formatMemory(to), true, GROWS);
    }

    /** A Berth domain whose recorded spec cannot be read: nothing is done to it, whatever is desired. */
    static Action.Refused unreadable(Observed o, Workload d) {
        return new Action.Refused(o, d, null, "recorded spec of " + io.berth.runtime.OwnershipLabels.OBJECT_PREFIX
                + o.name() + " cannot be read: " + (o.unreadable() == null ? "missing or unreadable" : o.unreadable())
                + "; left alone (Berth never deletes or recreates a VM it cannot read: its disk is data; fix the"
                + " domain's metadata, or remove the domain by hand)");
    }

    /** What happens to a VM's disk when it is recreated, for the plan's reason. */
    static String recreated(Workload d, Observed o, boolean replaced) {
        if (o.kind() != Kind.VirtualMachine) {
            return "";
        }
        if (!replaced) {
            return "; its disk is kept";
        }
        boolean copy = d.kind() == Kind.VirtualMachine && disk(d).from() != null;
        String by = d.kind() != Kind.VirtualMachine ? "a new clone of nothing"
                : copy ? "a full copy of " + disk(d).source() : "a new clone of " + disk(d).source();
        return "; its disk is replaced by " + by + ", and the old disk is kept aside under STATE/deleted/" + o.name()
                + "/ for berth.retention.deleted (agent restore " + o.name() + " --deleted)" + (copy ? "" : download(d));
    }

    /** For a new clone of a base image by URL: that the apply downloads it first (the plan itself fetches nothing). */
    static String download(Workload d) {
        if (d.kind() == Kind.VirtualMachine && disk(d).from() != null) {
            return "; its disk is a full copy of " + disk(d).from() + " (independent of it afterwards)";
        }
        if (d.kind() != Kind.VirtualMachine || disk(d).url() == null) {
            return "";
        }
        return "; download " + disk(d).url().url() + " first (unless the image directory has "
                + disk(d).url().fileName() + ") and verify its sha256";
    }

    /** Why a deleted VM's disk survives, for the plan's reason. */
    static String deleted(Observed o) {
        return o.kind() == Kind.VirtualMachine ? "; its disk is kept aside under STATE/deleted/" + o.name()
                + "/ for berth.retention.deleted (agent restore " + o.name() + " --deleted)" : "";
    }

    private static VmSpec.Disk disk(Workload w) {
        return ((VmSpec) w.spec()).disk();
    }
}
