package io.berth.runtime.libvirt;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Workload;
import io.berth.runtime.RuntimeFailure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cloud-init NoCloud seed: an ISO 9660 volume labelled {@code cidata} holding user-data and
 * meta-data (instance-id, hostname), attached to the VM as a CD-ROM. The instance-id follows the
 * spec hash, so cloud-init runs again when the spec changes.
 */
final class CloudInitSeed {

    private CloudInitSeed() {
    }

    static void write(Workload w, String userData, Path iso) {
        Path dir = null;
        try {
            Files.createDirectories(iso.getParent());
            dir = Files.createTempDirectory(iso.getParent(), ".seed");
            Files.writeString(dir.resolve("user-data"), userData);
            Files.writeString(dir.resolve("meta-data"), "instance-id: berth-" + w.name() + "-"
                    + CanonicalForm.specHash(w).substring(0, 12) + "\nlocal-hostname: " + w.name() + "\n");
            Commands.check(w.name(), "cannot build the cloud-init seed", List.of("genisoimage", "-quiet",
                    "-output", iso.toString(), "-volid", "cidata", "-joliet", "-rock",
                    dir.resolve("user-data").toString(), dir.resolve("meta-data").toString()), DiskImages.TIMEOUT);
        } catch (IOException e) {
            throw new RuntimeFailure(w.name(), w.name() + ": cannot write the cloud-init seed: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a leftover temp dir in our own state directory is harmless
                }
            }
        }
    }
}
