package io.berth.runtime.libvirt;

import io.berth.runtime.KeptData;
import io.berth.runtime.RuntimeFailure;
import io.berth.util.FileModes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a VM's disk goes instead of being deleted: {@code STATE/deleted/NAME/STAMP/} (STAMP the
 * UTC time it was kept, {@code 20261201T221530Z}, with {@code -2}, {@code -3} on a collision),
 * holding {@code disk.qcow2}, its snapshot layers and record ({@code layers/},
 * {@code snapshots.json}: the chain moves whole, so its absolute backing paths hold again once
 * restored) and {@code console.log}. Files are moved by rename, never copied and deleted, so
 * keeping is atomic per file and costs nothing; directories are 0711 and files 0600 (root's, like
 * the disks: libvirt's DAC driver relabels a disk for QEMU when a domain starts with it).
 *
 * <p>Restore moves the newest set back to {@code STATE/vms/NAME/}; {@link #sweep} is the only code
 * that deletes kept files, and only sets kept longer than the retention, by the clock it is given.
 * Thread-safe across names; calls for one name are serialised by the caller (the work queue runs one
 * reconcile per name, and restore refuses while a domain exists).
 */
final class KeptDisks {

    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final VmPaths paths;
    private final Clock clock;

    KeptDisks(VmPaths paths, Clock clock) {
        this.paths = paths;
        this.clock = clock;
    }

    Path root() {
        return paths.stateDir().resolve("deleted");
    }

    /**
     * Moves the VM's disk and console log (those that exist) into a new kept set. Returns it, or null
     * when there was nothing to keep.
     */
    KeptData.Kept keep(String name) {
        // The whole chain together (first disk, layers, snapshot record): its backing paths are
        // absolute, so it is whole again when restored to the same place.
        List<Path> files = Stream.concat(paths.data(name).stream(), Stream.of(paths.console(name)))
                .filter(Files::exists).toList();
        if (files.isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        try {
            Path dir = newSet(name, now);
            List<Path> moved = new ArrayList<>();
            for (Path f : files) {
                Path to = dir.resolve(f.getFileName());
                // Same filesystem (both under STATE): a rename, atomic, never a copy that could half-fail.
                Files.move(f, to, StandardCopyOption.ATOMIC_MOVE);
                if (!Files.isDirectory(to)) { // layers/ stays 0711; a frozen layer stays 0400
                    FileModes.restrict(to, FileModes.PRIVATE_FILE);
                }
                moved.add(to);
            }
            return new KeptData.Kept(name, now, dir, moved);
        } catch (IOException e) {
            throw new RuntimeFailure(name, name + ": cannot keep its disk aside under " + root().resolve(name)
                    + ": " + e.getMessage() + " (nothing was deleted)", e);
        }
    }

    private Path newSet(String name, Instant now) throws IOException {
        Path parent = root().resolve(name);
        for (Path d : List.of(root(), parent)) {
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d);
            }
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
        }
        String stamp = STAMP.format(now);
        for (int i = 1; ; i++) {
            Path dir = parent.resolve(i == 1 ? stamp : stamp + "-" + i);
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
                return dir;
            } catch (FileAlreadyExistsException e) {
                // kept twice in one second: the next suffix
            }
        }
    }

    /** Every kept set of {@code name} (all names when null), newest first. */
    List<KeptData.Kept> list(String name) {
        List<KeptData.Kept> out = new ArrayList<>();
        for (Path nameDir : children(root())) {
            if (name != null && !nameDir.getFileName().toString().equals(name)) {
                continue;
            }
            for (Path set : children(nameDir)) {
                Instant at = keptAt(set.getFileName().toString());
                if (at != null && Files.isDirectory(set)) {
                    out.add(new KeptData.Kept(nameDir.getFileName().toString(), at, set, files(set)));
                }
            }
        }
        out.sort(Comparator.comparing(KeptData.Kept::keptAt).thenComparing(k -> k.directory().toString()).reversed());
        return out;
    }

    /**
     * Moves a kept disk (and console log) of {@code name} back to {@code STATE/vms/NAME/}: the set
     * named {@code stamp}, else the newest. Refuses when nothing is kept or a disk is already there;
     * the caller checks that no domain exists.
     */
    KeptData.Kept restore(String name, String stamp) {
        List<KeptData.Kept> all = list(name).stream().filter(k -> k.files().stream()
                .anyMatch(f -> f.getFileName().equals(paths.baseDisk(name).getFileName()))).toList();
        List<KeptData.Kept> kept = stamp == null ? all : all.stream().filter(k -> k.stamp().equals(stamp)).toList();
        if (kept.isEmpty()) {
            throw new RuntimeFailure(name, name + ": " + (stamp == null ? "no kept disk" : "no kept disk " + stamp)
                    + " to restore under " + root().resolve(name) + (all.isEmpty()
                    ? " (a deleted VM's disk is kept there for berth.retention.deleted)"
                    : " (kept: " + String.join(", ", all.stream().map(KeptData.Kept::stamp).toList()) + ")"));
        }
        if (Files.exists(paths.baseDisk(name))) {
            throw new RuntimeFailure(name, name + ": a disk is already in place at " + paths.baseDisk(name)
                    + "; a restore never replaces a disk (move it away first if it is not wanted)");
        }
        KeptData.Kept newest = kept.getFirst();
        try {
            Files.createDirectories(paths.dir(name));
            List<Path> restored = new ArrayList<>();
            for (Path f : newest.files()) {
                Path to = paths.dir(name).resolve(f.getFileName());
                if (Files.exists(to)) {
                    continue; // a console log written since: the kept one stays kept
                }
                Files.move(f, to, StandardCopyOption.ATOMIC_MOVE);
                restored.add(to);
            }
            deleteIfEmpty(newest.directory());
            deleteIfEmpty(newest.directory().getParent());
            return new KeptData.Kept(name, newest.keptAt(), newest.directory(), restored);
        } catch (IOException e) {
            throw new RuntimeFailure(name, name + ": cannot restore its kept disk from " + newest.directory() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Removes the sets kept longer than {@code retention} before {@code now}; returns them. */
    List<KeptData.Kept> sweep(Instant now, Duration retention) {
        List<KeptData.Kept> removed = new ArrayList<>();
        for (KeptData.Kept k : list(null)) {
            if (!k.expiresAt(retention).isAfter(now)) {
                try {
                    for (Path f : children(k.directory())) {
                        for (Path layer : children(f)) { // layers/: its files (nothing deeper)
                            Files.deleteIfExists(layer);
                        }
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(k.directory());
                    deleteIfEmpty(k.directory().getParent());
                    removed.add(k);
                } catch (IOException e) {
                    throw new RuntimeFailure(k.name(), k.name() + ": cannot remove its expired kept disk "
                            + k.directory() + ": " + e.getMessage(), e);
                }
            }
        }
        return removed;
    }

    /** The time a set's directory is named after, or null for a name that is not a stamp (left alone). */
    static Instant keptAt(String dirName) {
        int dash = dirName.indexOf('-');
        try {
            return Instant.from(STAMP.parse(dash < 0 ? dirName : dirName.substring(0, dash)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The data files of a set, the disk first. */
    private List<Path> files(Path set) {
        return children(set).stream()
                .sorted(Comparator.comparing((Path f) -> !f.getFileName().toString().endsWith(".qcow2"))
                        .thenComparing(Path::toString))
                .toList();
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new RuntimeFailure(dir.toString(), "cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            if (s.iterator().hasNext()) {
                return;
            }
        }
        Files.deleteIfExists(dir);
    }
}
