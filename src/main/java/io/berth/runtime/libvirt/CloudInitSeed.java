package io.berth.runtime.libvirt;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Workload;
import io.berth.runtime.RuntimeFailure;
import io.berth.util.FileModes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cloud-init NoCloud seed: an ISO 9660 volume labelled {@code cidata} holding user-data and
 * meta-data (instance-id, hostname), attached to the VM as a CD-ROM. The instance-id follows the
 * spec hash, so cloud-init runs again when the spec changes.
 *
 * <p>The user data is often a secret (passwords, keys), so everything is built inside a fresh
 * 0700 directory and the finished ISO, 0600, is renamed into place: it is never readable by
 * another user, not even half-written. libvirt's DAC driver chowns it to the qemu user when it
 * starts the domain ({@code dynamic_ownership}, the default), which is how QEMU can open it.
 */
final class CloudInitSeed {

    private CloudInitSeed() {
    }

    static void write(Workload w, String userData, Path iso) {
        Path dir = null;
        try {
            FileModes.traversableDirectory(iso.getParent());
            dir = Files.createTempDirectory(iso.getParent(), ".seed"); // 0700: Java's own default
            FileModes.set(dir, FileModes.PRIVATE_DIR);
            Files.writeString(dir.resolve("user-data"), userData);
            Files.writeString(dir.resolve("meta-data"), "instance-id: berth-" + w.name() + "-"
                    + CanonicalForm.specHash(w).substring(0, 12) + "\nlocal-hostname: " + w.name() + "\n");
            Path built = dir.resolve("seed.iso");
            Commands.check(w.name(), "cannot build the cloud-init seed", List.of("genisoimage", "-quiet",
                    "-output", built.toString(), "-volid", "cidata", "-joliet", "-rock",
                    dir.resolve("user-data").toString(), dir.resolve("meta-data").toString()), DiskImages.TIMEOUT);
            FileModes.set(built, FileModes.PRIVATE_FILE);
            Files.move(built, iso, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
