package io.berth.runtime.libvirt;

import io.berth.runtime.Backups;
import io.berth.runtime.Observed;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.Snapshots;
import io.berth.util.AtomicFiles;
import io.berth.util.FileModes;
import org.libvirt.Domain;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A VM's disk out for a backup and back in for a restore. Out: an automatic snapshot
 * {@code backup-<UTC>} freezes the disk (live on a running VM, through the snapshot machinery,
 * so the live chain is never written by Berth), {@code qemu-img convert} flattens the frozen
 * layer's whole chain, down to the base image, into one standalone qcow2, and the snapshot's name
 * is deleted again (its layer stays while the disk in use is built on it, as for any snapshot
 * delete). In: the disk goes to {@code STATE/vms/NAME/disk.qcow2}, where a create of NAME looks
 * for it, with {@code restored.json} beside it, which makes the create keep it although it is not
 * a clone of the manifest's base image ({@link DiskImages#keepRestored}).
 */
final class VmBackups {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final DomainObserver observer;
    private final VmSnapshots snapshots;
    private final VmPaths paths;
    private final Clock clock;

    VmBackups(DomainObserver observer, VmSnapshots snapshots, VmPaths paths, Clock clock) {
        this.observer = observer;
        this.snapshots = snapshots;
        this.paths = paths;
        this.clock = clock;
    }

    Backups.Exported export(String name, Path out) {
        Domain d = observer.owned(name);
        Observed o = observer.observe(name, d).orElseThrow(() -> new RuntimeFailure(name, name + ": its domain is gone"));
        if (o.applied() == null) {
            throw new RuntimeFailure(name, name + ": cannot back up: its recorded spec cannot be read (" + o.unreadable()
                    + "); nothing was written");
        }
        String snap = "backup-" + STAMP.format(clock.instant());
        Snapshots.Done frozen = snapshots.create(name, snap, Snapshots.MadeBy.automatic);
        List<String> notes = new ArrayList<>(frozen.notes());
        try {
            Path layer = Path.of(frozen.snapshot().layer());
            long size = DiskImages.info(name, layer).virtualSize();
            Files.createFile(out, PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE));
            // As for a clone: an empty qcow2 of the disk's size, filled by convert -n from the whole chain.
            Commands.check(name, "cannot flatten its disk", List.of("qemu-img", "create", "-q", "-f", "qcow2",
                    out.toString(), Long.toString(size)), DiskImages.TIMEOUT);
            Commands.check(name, "cannot flatten its disk", List.of("qemu-img", "convert", "-q", "-n", "-O", "qcow2",
                    layer.toString(), out.toString()), DiskImages.COPY_TIMEOUT);
        } catch (IOException e) {
            DiskImages.delete(out);
            throw new RuntimeFailure(name, name + ": cannot write " + out + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            DiskImages.delete(out);
            throw e;
        } finally {
            snapshots.delete(name, snap);
        }
        return new Backups.Exported(o.applied(), snap, frozen.snapshot().created(), notes);
    }

    List<Path> importDisk(String name, String origin, Backups.DataWriter writer) {
        if (observer.lookup(name).isPresent()) {
            throw new RuntimeFailure(name, "refused: a domain " + DomainXml.domainName(name) + " exists on this host;"
                    + " nothing was changed (restore under another name with --as NEW)");
        }
        for (Path p : paths.data(name)) {
            if (Files.exists(p)) {
                throw new RuntimeFailure(name, "refused: " + p + " exists (the disk of a VM " + name + " that is not"
                        + " defined: agent restore " + name + " --deleted and an apply use it; or move it away);"
                        + " nothing was changed");
            }
        }
        Path disk = paths.baseDisk(name);
        Path partial = DiskImages.partial(disk);
        boolean madeDir = !Files.isDirectory(paths.dir(name));
        try {
            paths.prepare(name);
            Files.deleteIfExists(partial); // only an import or create that died leaves this name
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE));
            writer.writeTo(partial);
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            DiskImages.Info info = DiskImages.info(name, partial);
            if (!"qcow2".equals(info.format()) || info.backing() != null) {
                throw new RuntimeFailure(name, name + ": the restored disk is not a standalone qcow2 (format "
                        + info.format() + (info.backing() == null ? "" : ", backing file " + info.backing())
                        + "); nothing was changed");
            }
            // The mark first: a kill between the two leaves a mark without a disk, which nothing adopts.
            AtomicFiles.write(paths.restored(name), JSON.writeValueAsBytes(java.util.Map.of("format", 1, "from", origin,
                    "at", clock.instant().toString())));
            FileModes.restrict(paths.restored(name), FileModes.PRIVATE_FILE);
            Files.move(partial, disk, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(disk.getParent());
            return List.of(disk, paths.restored(name));
        } catch (IOException | RuntimeException e) {
            DiskImages.delete(partial);
            if (!Files.exists(disk)) {
                DiskImages.delete(paths.restored(name));
            }
            if (madeDir) {
                try {
                    Files.deleteIfExists(paths.dir(name));
                } catch (IOException ignored) {
                    // not empty: something else was put there meanwhile, left alone
                }
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new RuntimeFailure(name, name + ": cannot put the restored disk in place at " + disk + ": "
                    + e.getMessage() + "; nothing was changed", e);
        }
    }

}
