package io.berth.runtime.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.manifest.Quantities;
import io.berth.runtime.RuntimeFailure;
import io.berth.util.FileModes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Copy-on-write disks: each VM gets a qcow2 overlay whose backing file is the base image, so the
 * base is never written and a clone costs the same for a 100 MB or a 20 GB base. Uses qemu-img.
 */
final class DiskImages {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
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
     * (0: the base's size). An existing overlay on the same base is kept (a recreated VM keeps its
     * disk); one on another base is replaced. Returns a note when something was kept.
     */
    static List<String> prepare(String workload, Path base, long sizeBytes, Path overlay) {
        if (!Files.isRegularFile(base)) {
            throw new RuntimeFailure(workload, workload + ": base image " + base + " does not exist on this host");
        }
        Info b = info(workload, base);
        long size = sizeBytes == 0 ? b.virtualSize() : sizeBytes;
        if (size < b.virtualSize()) {
            throw new RuntimeFailure(workload, workload + ": disk.size " + Quantities.formatMemory(size)
                    + " is smaller than the base image's " + Quantities.formatMemory(b.virtualSize())
                    + " (valid: at least the base image's size, or leave size out)");
        }
        List<String> notes = new ArrayList<>();
        if (Files.exists(overlay)) {
            Info o = info(workload, overlay);
            if (base.toString().equals(o.backing())) {
                restrict(workload, overlay); // one an older Berth made 0644
                notes.add("kept its existing disk " + overlay);
                return notes;
            }
            delete(overlay);
        }
        try {
            FileModes.traversableDirectory(overlay.getParent());
            // Made 0600 before qemu-img writes it: qemu-img truncates an existing file and keeps its
            // mode, so the guest's disk is not readable by others even for a moment (the directory
            // is only 0711, and its name is known).
            Files.createFile(overlay, PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE));
            FileModes.set(overlay, FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": cannot create " + overlay + ": " + e.getMessage(), e);
        }
        Commands.check(workload, "cannot create the disk overlay", List.of("qemu-img", "create", "-q", "-f", "qcow2",
                "-F", b.format(), "-b", base.toString(), overlay.toString(), Long.toString(size)), TIMEOUT);
        return notes;
    }

    /** At most 0600: libvirt chowns it to the qemu user at start, so nobody else needs to read it. */
    static void restrict(String workload, Path file) {
        try {
            FileModes.restrict(file, FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": cannot restrict " + file + " to 0600: " + e.getMessage(), e);
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
