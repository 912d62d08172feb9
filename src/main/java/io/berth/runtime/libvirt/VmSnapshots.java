package io.berth.runtime.libvirt;

import io.berth.manifest.VmSpec;
import io.berth.manifest.Kind;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.Snapshots;
import io.berth.util.AtomicFiles;
import io.berth.util.FileModes;
import org.libvirt.Domain;
import org.libvirt.DomainSnapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * VM snapshots as Berth-managed copy-on-write layers, never libvirt snapshot metadata (libvirt 9.0
 * cannot revert external snapshots, and internal ones fail with a memtune hard limit): a snapshot
 * freezes the active overlay (0400 from then on) and puts a new overlay on top of it — live with
 * an external disk-only {@code snapshotCreateXML} on a running domain, with {@code qemu-img create}
 * and a redefinition on a stopped one; a restore keeps the active overlay as an automatic snapshot
 * and makes a new overlay on the snapshot's layer. The base image is never written, and no layer
 * is ever deleted while a chain needs it.
 *
 * <p>Crash safety: every change is written to the {@link SnapshotRecord} as an intent first and
 * recorded finished in one atomic write after; {@link #settle} finishes or rolls back an intent a
 * kill left, from where the domain's disk points. Callers serialise operations per name.
 */
final class VmSnapshots {

    /** libvirt's VIR_DOMAIN_SNAPSHOT_CREATE_* flags. */
    static final int NO_METADATA = 4;
    static final int DISK_ONLY = 16;
    static final int QUIESCE = 64;
    static final int ATOMIC = 128;
    static final int XML_INACTIVE = 2;

    static final DateTimeFormatter DEFAULT_NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LAYER = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    /** What a restore needs of the runtime: Berth's own stop (grace, then destroy) and start. */
    interface Lifecycle {
        void stop(String name, Duration grace);

        List<String> start(String name);
    }

    private final LibvirtCalls calls;
    private final LibvirtConnection connection;
    private final DomainObserver observer;
    private final VmPaths paths;
    private final Lifecycle lifecycle;
    private final Clock clock;

    VmSnapshots(LibvirtCalls calls, LibvirtConnection connection, DomainObserver observer, VmPaths paths,
                Lifecycle lifecycle, Clock clock) {
        this.calls = calls;
        this.connection = connection;
        this.observer = observer;
        this.paths = paths;
        this.lifecycle = lifecycle;
        this.clock = clock;
    }

    Snapshots.Done create(String name, String requested, Snapshots.MadeBy madeBy) {
        long t0 = System.nanoTime();
        Domain d = observer.owned(name);
        List<String> notes = new ArrayList<>(settle(name, d));
        SnapshotRecord r = record(name);
        Instant now = clock.instant();
        String snap = requested == null ? DEFAULT_NAME.format(now) : requested;
        checkName(name, snap);
        if (r.find(snap).isPresent()) {
            throw new RuntimeFailure(name, name + ": a snapshot named " + snap + " exists already (names are unique per"
                    + " workload: choose another, or delete that one first); nothing was changed");
        }
        Path frozen = Path.of(r.active());
        Path next = newLayer(name, now);
        SnapshotRecord.Intent intent = new SnapshotRecord.Intent("create", snap, frozen.toString(), next.toString(),
                null, null, now.toString(), 0, madeBy == Snapshots.MadeBy.manual ? null : madeBy.name());
        write(name, r.withIntent(intent));
        if (calls.call(name, "read domain state", d::isActive) == 1) {
            notes.add(live(name, d, next));
        } else {
            overlay(name, frozen, next);
            redefine(name, d, next);
            notes.add("taken while the VM is stopped (its disk is at rest)");
        }
        SnapshotRecord done = finish(name, r.withIntent(intent));
        Snapshots.Snapshot made = view(name, done.find(snap).orElseThrow());
        return new Snapshots.Done(made, notes, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** The external snapshot of a running domain; quiesced when the guest has an agent, else crash-consistent. */
    private String live(String name, Domain d, Path next) {
        String xml = calls.call(name, "read domain XML", () -> d.getXMLDesc(0));
        String snapXml = DiskSource.snapshotXml(xml, next.toString());
        int flags = DISK_ONLY | NO_METADATA | ATOMIC;
        String how = "crash-consistent (the guest has no qemu-guest-agent channel to quiesce its filesystems)";
        boolean quiesced = false;
        if (DiskSource.hasGuestAgent(xml)) {
            try {
                snapshot(name, d, snapXml, flags | QUIESCE);
                quiesced = true;
                how = "quiesced through qemu-guest-agent";
            } catch (RuntimeFailure e) {
                how = "crash-consistent (quiescing through qemu-guest-agent failed: " + e.getMessage() + ")";
            }
        }
        if (!quiesced) {
            snapshot(name, d, snapXml, flags);
        }
        restrict(name, next, FileModes.PRIVATE_FILE); // libvirt made it; only QEMU (and root) read it
        return how;
    }

    private void snapshot(String name, Domain d, String snapXml, int flags) {
        calls.run(name, "snapshot disk", () -> {
            DomainSnapshot s = d.snapshotCreateXML(snapXml, flags);
            if (s != null) {
                s.free();
            }
            return null;
        });
    }

    List<Snapshots.Snapshot> list(String name) {
        if (name != null) {
            return SnapshotRecord.read(paths.record(name)).stream()
                    .flatMap(r -> r.snapshots().stream()).map(e -> view(name, e)).toList();
        }
        List<Snapshots.Snapshot> all = new ArrayList<>();
        Path vms = paths.stateDir().resolve("vms");
        if (Files.isDirectory(vms)) {
            try (var dirs = Files.list(vms)) {
                for (Path dir : dirs.sorted().toList()) {
                    all.addAll(list(dir.getFileName().toString()));
                }
            } catch (IOException e) {
                throw new RuntimeFailure("snapshots", "cannot list " + vms + ": " + e.getMessage(), e);
            }
        }
        return all;
    }

    Snapshots.Done restore(String name, String snap, Duration grace) {
        long t0 = System.nanoTime();
        Domain d = observer.owned(name);
        List<String> notes = new ArrayList<>(settle(name, d));
        SnapshotRecord r = record(name);
        SnapshotRecord.Entry entry = entry(name, r, snap);
        lifecycle.stop(name, grace);
        Instant now = clock.instant();
        String keptAs = "before-restore-" + LAYER.format(now).substring(0, 15) + "Z";
        for (int i = 2; r.find(keptAs).isPresent(); i++) {
            keptAs = keptAs.replaceFirst("(-[0-9]+)?$", "-" + i);
        }
        Path frozen = Path.of(r.active());
        Path next = newLayer(name, now);
        SnapshotRecord.Intent intent = new SnapshotRecord.Intent("restore", snap, frozen.toString(), next.toString(),
                entry.layer(), keptAs, now.toString(), 0);
        write(name, r.withIntent(intent));
        // At least the size the disk has now: disks never shrink, and the recorded spec keeps its size.
        long size = DiskImages.info(name, frozen).virtualSize();
        overlay(name, Path.of(entry.layer()), next, size);
        redefine(name, d, next);
        finish(name, r.withIntent(intent));
        notes.add("the disk it had is kept as snapshot " + keptAs + " (agent snapshot restore " + name + " " + keptAs
                + " brings it back)");
        notes.addAll(lifecycle.start(name));
        return new Snapshots.Done(view(name, entry), notes, Duration.ofNanos(System.nanoTime() - t0));
    }

    Snapshots.Done delete(String name, String snap) {
        long t0 = System.nanoTime();
        Domain d = observer.owned(name);
        List<String> notes = new ArrayList<>(settle(name, d));
        SnapshotRecord r = record(name);
        SnapshotRecord.Entry entry = entry(name, r, snap);
        SnapshotRecord left = r.without(snap);
        Path layer = Path.of(entry.layer());
        Set<Path> needed = new HashSet<>(chain(name, Path.of(left.active())));
        left.snapshots().forEach(e -> needed.addAll(chain(name, Path.of(e.layer()))));
        // Record first: a kill after it leaves an unnamed file, never a name without its layer.
        write(name, left);
        if (needed.contains(layer)) {
            notes.add("its layer " + layer + " stays as an unnamed layer: the disk in use or another snapshot is built"
                    + " on it (reclaiming that space needs the VM stopped and is not done yet)");
        } else if (layer.startsWith(paths.dir(name))) {
            DiskImages.delete(layer);
            notes.add("removed its layer " + layer);
        }
        return new Snapshots.Done(view(name, entry), notes, Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * Finishes or rolls back an operation a kill interrupted (see {@link SnapshotRecord#settle});
     * returns what it did. Refuses, changing nothing, when the domain's disk points elsewhere.
     */
    List<String> settle(String name, Domain d) {
        SnapshotRecord r;
        try {
            r = SnapshotRecord.read(paths.record(name)).orElse(null);
        } catch (IllegalStateException e) {
            throw new RuntimeFailure(name, name + ": " + e.getMessage() + "; Berth leaves its disk and snapshots alone");
        }
        if (r == null || r.intent() == null) {
            return List.of();
        }
        SnapshotRecord.Intent i = r.intent();
        boolean active = calls.call(name, "read domain state", d::isActive) == 1;
        String live = active ? DiskSource.of(calls.call(name, "read domain XML", () -> d.getXMLDesc(0))) : null;
        String persistent = DiskSource.of(calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE)));
        switch (SnapshotRecord.settle(i, live, persistent)) {
            case FINISH -> {
                if (!i.next().equals(persistent)) {
                    redefine(name, d, Path.of(i.next()));
                }
                finish(name, r);
                return List.of("finished the " + i.op() + " of snapshot " + i.snapshot() + " that was interrupted");
            }
            case ROLL_BACK -> {
                DiskImages.delete(DiskImages.partial(Path.of(i.next())));
                DiskImages.delete(Path.of(i.next())); // never used: the domain's disk never pointed at it
                write(name, r.rolledBack());
                return List.of("rolled back the " + i.op() + " of snapshot " + i.snapshot() + " that was interrupted");
            }
            default -> throw new RuntimeFailure(name, name + ": an interrupted " + i.op() + " of snapshot " + i.snapshot()
                    + " cannot be settled: its disk points at " + persistent + (live == null ? "" : " (running: " + live + ")")
                    + ", neither " + i.frozen() + " nor " + i.next() + "; Berth leaves it alone (see " + paths.record(name) + ")");
        }
    }

    /** Records the intent's frozen layer as its snapshot, read-only from now on, and the new layer active. */
    private SnapshotRecord finish(String name, SnapshotRecord withIntent) {
        SnapshotRecord.Intent i = withIntent.intent();
        Path frozen = Path.of(i.frozen());
        restrict(name, frozen, PosixFilePermissions.fromString("r--------"));
        long size;
        try {
            size = Files.size(frozen);
        } catch (IOException e) {
            size = 0;
        }
        SnapshotRecord done = withIntent.withIntent(i.withSize(size)).finished();
        write(name, done);
        return done;
    }

    private void overlay(String name, Path backing, Path next) {
        overlay(name, backing, next, DiskImages.info(name, backing).virtualSize());
    }

    /** A new qcow2 overlay on {@code backing}, made under a temp name and renamed when whole (0600). */
    private void overlay(String name, Path backing, Path next, long size) {
        Path partial = DiskImages.partial(next);
        try {
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE));
            Commands.check(name, "cannot create the disk overlay " + next, List.of("qemu-img", "create", "-q", "-f", "qcow2",
                    "-F", "qcow2", "-b", backing.toString(), partial.toString(), Long.toString(size)), DiskImages.TIMEOUT);
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(partial, next, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(next.getParent());
        } catch (IOException e) {
            DiskImages.delete(partial);
            throw new RuntimeFailure(name, name + ": cannot create " + next + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            DiskImages.delete(partial);
            throw e;
        }
    }

    /** Points the persistent definition's disk at {@code disk}; the recorded spec and everything else stay. */
    private void redefine(String name, Domain d, Path disk) {
        String xml = calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE));
        String changed = DiskSource.with(xml, disk.toString());
        calls.run(name, "define domain", () -> connection.get().domainDefineXML(changed));
    }

    /** The files of {@code top}'s chain that are the VM's own (the base image is not). */
    private List<Path> chain(String name, Path top) {
        List<Path> out = new ArrayList<>();
        for (Path p = top; p != null && p.startsWith(paths.dir(name)) && out.size() < 10_000; ) {
            out.add(p);
            String backing = Files.exists(p) ? DiskImages.info(name, p).backing() : null;
            p = backing == null ? null : Path.of(backing);
        }
        return out;
    }

    private Path newLayer(String name, Instant now) {
        Path dir = paths.layers(name);
        try {
            FileModes.traversableDirectory(dir);
            FileModes.restrict(dir, FileModes.TRAVERSABLE_DIR);
        } catch (IOException e) {
            throw new RuntimeFailure(name, name + ": cannot create " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(LAYER.format(now) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000))
                + ".qcow2");
    }

    private SnapshotRecord record(String name) {
        try {
            return SnapshotRecord.read(paths.record(name)).orElseGet(() -> SnapshotRecord.initial(paths.baseDisk(name)));
        } catch (IllegalStateException e) {
            throw new RuntimeFailure(name, name + ": " + e.getMessage() + "; Berth leaves its disk and snapshots alone");
        }
    }

    private void write(String name, SnapshotRecord r) {
        try {
            r.write(paths.record(name));
        } catch (IOException e) {
            throw new RuntimeFailure(name, name + ": cannot write " + paths.record(name) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The frozen layer of another VM's snapshot that {@code clone}'s disk is copied from. Frozen
     * layers are never written again, so a copy of one is the snapshot whatever the source does.
     */
    static Path sourceLayer(VmPaths paths, String clone, VmSpec.From from) {
        if (from.workload().equals(clone)) {
            throw new RuntimeFailure(clone, clone + ": spec.disk.from names its own snapshot " + from.snapshot()
                    + "; a VM's disk cannot be copied from itself (use agent snapshot restore)");
        }
        SnapshotRecord r;
        try {
            r = SnapshotRecord.read(paths.record(from.workload())).orElse(null);
        } catch (IllegalStateException e) {
            throw new RuntimeFailure(clone, clone + ": cannot read the snapshots of " + from.workload() + ": "
                    + e.getMessage() + "; nothing was created");
        }
        if (r == null || r.find(from.snapshot()).isEmpty()) {
            throw new RuntimeFailure(clone, clone + ": spec.disk.from: " + from.workload() + " has no snapshot named "
                    + from.snapshot() + " on this host" + (r == null || r.snapshots().isEmpty() ? " (it has none)"
                    : " (it has: " + String.join(", ", r.snapshots().stream().map(SnapshotRecord.Entry::name).toList())
                    + ")") + "; nothing was created (agent snapshot list " + from.workload() + ")");
        }
        return Path.of(r.find(from.snapshot()).get().layer());
    }

    private static SnapshotRecord.Entry entry(String name, SnapshotRecord r, String snap) {
        return r.find(snap).orElseThrow(() -> new Snapshots.NotFound(name, name + ": no snapshot named " + snap
                + (r.snapshots().isEmpty() ? " (it has none)" : " (it has: " + String.join(", ",
                r.snapshots().stream().map(SnapshotRecord.Entry::name).toList()) + ")")));
    }

    private static void checkName(String name, String snap) {
        try {
            SnapshotRecord.checkName(snap);
        } catch (IllegalArgumentException e) {
            throw new Snapshots.Invalid(name, name + ": " + e.getMessage() + "; nothing was changed");
        }
    }

    private static void restrict(String name, Path file, Set<java.nio.file.attribute.PosixFilePermission> mode) {
        try {
            FileModes.set(file, mode);
        } catch (IOException e) {
            throw new RuntimeFailure(name, name + ": cannot set the mode of " + file + ": " + e.getMessage(), e);
        }
    }

    private static Snapshots.Snapshot view(String name, SnapshotRecord.Entry e) {
        return new Snapshots.Snapshot(e.name(), name, Kind.VirtualMachine, Instant.parse(e.created()), e.sizeBytes(),
                Snapshots.MadeBy.valueOf(e.madeBy()), e.layer());
    }
}
