package io.berth.runtime.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.ImageChain;
import io.berth.manifest.Quantities;
import io.berth.runtime.RuntimeFailure;
import io.berth.util.AtomicFiles;
import io.berth.util.FileModes;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Copy-on-write disks: each VM gets a qcow2 overlay whose backing file is the base image, so the
 * base is never written and a clone costs the same for a 100 MB or a 20 GB base. Uses qemu-img.
 * Nothing here deletes or replaces a disk that holds data: only {@link #delete} removes a file, and
 * it is used for what Berth made and nothing else holds (a seed ISO, an overlay made by a create that
 * failed before anything could write to it).
 */
final class DiskImages {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** A full copy reads and writes the whole disk: minutes for tens of GiB. */
    static final Duration COPY_TIMEOUT = Duration.ofMinutes(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DiskImages() {
    }

    record Info(String format, long virtualSize, String backing) {
    }

    static Info info(String workload, Path image) {
        String out = Commands.check(workload, "cannot read image " + image,
                List.of("qemu-img", "info", "--output=json", "-U", image.toString()), TIMEOUT);
        try {
            JsonNode n = JSON.readTree(out);
            String backing = n.has("full-backing-filename") ? n.get("full-backing-filename").asText()
                    : n.has("backing-filename") ? n.get("backing-filename").asText() : null;
            return new Info(n.get("format").asText(), n.get("virtual-size").asLong(), backing);
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": cannot read qemu-img's answer for " + image, e);
        }
    }

    /**
     * Makes {@code overlay} a copy-on-write clone of {@code base} of at least {@code sizeBytes}
     * (0: the base's size), after checking the base's whole backing chain against {@code policy}
     * (a file swapped in since the manifest was read is refused here). An existing overlay on the
     * same base is kept (a recreated or restored VM keeps its disk) and grown when it is smaller
     * than asked; one on another base is refused, never replaced: only a planned replacement moves
     * a disk away ({@link KeptDisks}), and then there is none here. Returns notes on what was kept.
     */
    static List<String> prepare(String workload, Path base, long sizeBytes, Path overlay, HostPolicy policy) {
        if (!Files.isRegularFile(base)) {
            throw new RuntimeFailure(workload, workload + ": base image " + base + " does not exist on this host");
        }
        try {
            ImageChain.walk(policy, base);
        } catch (ImageChain.Unreadable e) {
            throw new RuntimeFailure(workload, workload + ": base image " + base + " refused: " + e.getMessage()
                    + "; nothing was created");
        }
        Info b = info(workload, base);
        long size = sizeBytes == 0 ? b.virtualSize() : sizeBytes;
        if (size < b.virtualSize()) {
            throw new RuntimeFailure(workload, workload + ": disk.size " + Quantities.formatMemory(size)
                    + " is smaller than the base image's " + Quantities.formatMemory(b.virtualSize())
                    + " (valid: at least the base image's size, or leave size out)");
        }
        List<String> notes = unfinished(overlay);
        Path partial = partial(overlay);
        if (Files.exists(overlay)) {
            Info o = info(workload, overlay);
            String cloneOf = cloneOf(workload, overlay, o);
            if (!base.toString().equals(cloneOf)) {
                throw new RuntimeFailure(workload, workload + ": its disk " + overlay + " is a clone of " + cloneOf
                        + " but spec.disk.image is " + base + "; Berth never replaces a disk it did not plan to replace"
                        + " (set disk.image back to " + cloneOf + " to use it, or move the disk away)");
            }
            restrict(workload, overlay); // one an older Berth made 0644
            notes.add("kept its existing disk " + overlay);
            if (o.virtualSize() < size) {
                grow(workload, overlay, size);
                notes.add("grew its disk from " + Quantities.formatMemory(o.virtualSize()) + " to "
                        + Quantities.formatMemory(size));
            }
            return notes;
        }
        makeWhole(workload, overlay, List.of(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", b.format(), "-b",
                base.toString(), partial.toString(), Long.toString(size))), TIMEOUT);
        return notes;
    }

    /**
     * Makes {@code disk} a full, independent copy of {@code layer} (a frozen snapshot layer of
     * another VM, with its whole backing chain flattened in) of at least {@code sizeBytes}: the
     * clone never depends on the source's files, so deleting the source or its snapshot later
     * cannot touch it. An existing disk that stands alone is the clone's own data: kept, grown
     * when smaller than asked; one that is an overlay on some image is refused, never replaced.
     */
    static List<String> prepareCopy(String workload, Path layer, String source, long sizeBytes, Path disk) {
        if (!Files.isRegularFile(layer)) {
            throw new RuntimeFailure(workload, workload + ": the layer of " + source + " (" + layer
                    + ") is missing; nothing was created");
        }
        List<String> notes = unfinished(disk);
        if (Files.exists(disk)) {
            Info d = info(workload, disk);
            String cloneOf = cloneOf(workload, disk, d);
            if (cloneOf != null) {
                throw new RuntimeFailure(workload, workload + ": its disk " + disk + " is a clone of " + cloneOf
                        + ", not a copy of " + source + "; Berth never replaces a disk it did not plan to replace");
            }
            restrict(workload, disk);
            notes.add("kept its existing disk " + disk);
            if (sizeBytes > d.virtualSize()) {
                grow(workload, disk, sizeBytes);
                notes.add("grew its disk to " + Quantities.formatMemory(sizeBytes));
            }
            return notes;
        }
        Info l = info(workload, layer);
        long size = Math.max(sizeBytes, l.virtualSize());
        Path partial = partial(disk);
        // Made as an empty qcow2 of the final size (0600 from the start), then filled: convert -n
        // writes into it and reads the whole chain below the layer, so the copy stands alone.
        makeWhole(workload, disk, List.of(
                List.of("qemu-img", "create", "-q", "-f", "qcow2", partial.toString(), Long.toString(size)),
                List.of("qemu-img", "convert", "-q", "-n", "-O", "qcow2", layer.toString(), partial.toString())), COPY_TIMEOUT);
        notes.add("its disk is a full copy of " + source + " (" + Quantities.formatMemory(size) + ")");
        return notes;
    }

    /**
     * Keeps {@code disk}, the disk restored from a backup archive for this VM (its directory has the
     * restore mark): it stands alone, so it is no clone of the manifest's base image, and it is
     * the VM's data. Grown when smaller than asked; one that turns out to be an overlay after all
     * is refused, never replaced.
     */
    static List<String> keepRestored(String workload, Path disk, long sizeBytes) {
        Info d = info(workload, disk);
        String cloneOf = cloneOf(workload, disk, d);
        if (cloneOf != null) {
            throw new RuntimeFailure(workload, workload + ": its disk " + disk + " is marked as restored from a backup"
                    + " but is a clone of " + cloneOf + "; Berth never replaces a disk it did not plan to replace");
        }
        restrict(workload, disk);
        List<String> notes = new ArrayList<>();
        notes.add("kept its disk restored from a backup " + disk);
        if (sizeBytes > d.virtualSize()) {
            grow(workload, disk, sizeBytes);
            notes.add("grew its disk to " + Quantities.formatMemory(sizeBytes));
        }
        return notes;
    }

    /** A leftover {@code .tmp} of a create that died, and an empty disk an older Berth left: neither holds data. */
    private static List<String> unfinished(Path disk) {
        List<String> notes = new ArrayList<>();
        Path partial = partial(disk);
        if (Files.exists(partial)) {
            // Only a create that died before its rename leaves this name; no domain ever used it.
            delete(partial);
            notes.add("removed " + partial + " left by a create that did not finish");
        }
        if (Files.exists(disk) && isEmptyFile(disk)) {
            // An empty file holds no data: what an older Berth left when it was killed between
            // making the file and qemu-img writing it. Made again by the caller.
            delete(disk);
            notes.add("made again the empty disk " + disk + " left by a create that did not finish");
        }
        return notes;
    }

    /**
     * Runs {@code commands} on the partial name of {@code disk} (made 0600 before the first
     * writes it: qemu-img keeps an existing file's mode, so the guest's disk is never readable by
     * others, even for a moment), then fsyncs and renames it: whole or not at all under its real
     * name. A kill -9 before the rename leaves only the partial file, which the next create removes.
     */
    private static void makeWhole(String workload, Path disk, List<List<String>> commands, Duration timeout) {
        Path partial = partial(disk);
        try {
            FileModes.traversableDirectory(disk.getParent());
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE));
            FileModes.set(partial, FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": cannot create " + partial + ": " + e.getMessage(), e);
        }
        try {
            for (List<String> command : commands) {
                Commands.check(workload, "cannot create the disk " + disk, command, timeout);
            }
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(partial, disk, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(disk.getParent());
        } catch (IOException e) {
            delete(partial);
            throw new RuntimeFailure(workload, workload + ": cannot create " + disk + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            delete(partial);
            throw e;
        }
    }

    /**
     * The image a VM's active layer is a clone of: its backing file, or — once snapshots have put
     * frozen layers of the VM's own under it (all in the active layer's VM directory) — the first
     * backing file outside them. The chain is at most as long as the snapshots taken.
     */
    static String cloneOf(String workload, Path active, Info activeInfo) {
        Path vmDir = active.getParent().getFileName().toString().equals("layers")
                ? active.getParent().getParent() : active.getParent();
        String backing = activeInfo.backing();
        for (int depth = 0; backing != null && Path.of(backing).startsWith(vmDir); depth++) {
            if (depth > 10_000) {
                throw new RuntimeFailure(workload, workload + ": the backing chain of " + active + " does not end");
            }
            backing = info(workload, Path.of(backing)).backing();
        }
        return backing;
    }

    /**
     * Grows the overlay of a domain that is not running to {@code sizeBytes} ({@code qemu-img
     * resize}). Never shrinks: a smaller size is refused before qemu-img is asked.
     */
    static void grow(String workload, Path overlay, long sizeBytes) {
        Info o = info(workload, overlay);
        if (sizeBytes < o.virtualSize()) {
            throw new RuntimeFailure(workload, workload + ": cannot shrink its disk from "
                    + Quantities.formatMemory(o.virtualSize()) + " to " + Quantities.formatMemory(sizeBytes)
                    + " (Berth never discards disk data)");
        }
        if (sizeBytes == o.virtualSize()) {
            return;
        }
        Commands.check(workload, "cannot grow the disk " + overlay, List.of("qemu-img", "resize", "-q", "-f", "qcow2",
                overlay.toString(), Long.toString(sizeBytes)), TIMEOUT);
    }

    /** At most 0600: libvirt chowns it to the qemu user at start, so nobody else needs to read it. */
    static void restrict(String workload, Path file) {
        try {
            FileModes.restrict(file, FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": cannot restrict " + file + " to 0600: " + e.getMessage(), e);
        }
    }

    /** The name an overlay is made under until it is whole (a temp name {@code *.tmp}). */
    static Path partial(Path overlay) {
        return overlay.resolveSibling(overlay.getFileName() + ".tmp");
    }

    private static boolean isEmptyFile(Path file) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new RuntimeFailure(file.toString(), "cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
