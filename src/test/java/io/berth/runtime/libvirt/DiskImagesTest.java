package io.berth.runtime.libvirt;

import io.berth.manifest.HostPolicy;
import io.berth.runtime.RuntimeFailure;
import io.berth.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a VM create does with what it finds at the overlay's place (real qemu-img): only an
 * unfinished create's leftovers are made again (the {@code .tmp} no domain used, an empty file);
 * a disk with data that is not a clone of the base is refused, its bytes untouched.
 */
class DiskImagesTest {

    @TempDir
    Path dir;

    Path base() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path base = images.resolve("base.qcow2");
        Processes.Result r = Processes.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "8M"),
                Map.of(), null, Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.err()).isZero();
        return base;
    }

    HostPolicy policy() {
        return new HostPolicy(List.of(dir.resolve("images")));
    }

    @Test
    void anUnfinishedCreatesLeftoversAreMadeAgainIntoAWholeClone() throws Exception {
        Path base = base();
        Path overlay = Files.createDirectories(dir.resolve("vms/web")).resolve("disk.qcow2");
        Files.createFile(overlay); // killed between making the file and qemu-img writing it (an older Berth)
        Files.writeString(DiskImages.partial(overlay), "half"); // killed before the rename
        List<String> notes = DiskImages.prepare("web", base, 0, overlay, policy());
        assertThat(notes).anyMatch(n -> n.startsWith("removed " + DiskImages.partial(overlay)))
                .anyMatch(n -> n.startsWith("made again the empty disk"));
        assertThat(DiskImages.info("web", overlay).backing()).isEqualTo(base.toString());
        assertThat(DiskImages.partial(overlay)).doesNotExist();
        assertThat(Files.getPosixFilePermissions(overlay)).hasSize(2); // rw------- : owner read and write only
    }

    @Test
    void aDiskWithDataThatIsNotACloneOfTheBaseIsRefusedAndLeftAsItIs() throws Exception {
        Path base = base();
        Path overlay = Files.createDirectories(dir.resolve("vms/db")).resolve("disk.qcow2");
        Files.write(overlay, new byte[]{1, 2, 3, 4}); // a raw disk with data
        assertThatThrownBy(() -> DiskImages.prepare("db", base, 0, overlay, policy())).isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining("Berth never replaces a disk it did not plan to replace");
        assertThat(Files.readAllBytes(overlay)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aCopyOfALayerFlattensItsWholeChainStandsAloneAndIsKeptOnTheNextCreate() throws Exception {
        Path base = base();
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x41 0 64k", base.toString());
        Path layer = Files.createDirectories(dir.resolve("vms/db/layers")).resolve("frozen.qcow2");
        qemu("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base.toString(), layer.toString(), "8M");
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x42 1M 64k", layer.toString());
        Path disk = Files.createDirectories(dir.resolve("vms/db-test")).resolve("disk.qcow2");

        List<String> notes = DiskImages.prepareCopy("db-test", layer, "snapshot nightly of db", 16L << 20, disk);
        assertThat(notes).anyMatch(n -> n.startsWith("its disk is a full copy of snapshot nightly of db"));
        DiskImages.Info copy = DiskImages.info("db-test", disk);
        assertThat(copy.backing()).as("stands alone").isNull();
        assertThat(copy.virtualSize()).isEqualTo(16L << 20);
        assertThat(qemu("qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0x41 0 64k", disk.toString())).doesNotContain("failed");
        assertThat(qemu("qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0x42 1M 64k", disk.toString())).doesNotContain("failed");
        assertThat(Files.getPosixFilePermissions(disk)).hasSize(2);
        assertThat(DiskImages.partial(disk)).doesNotExist();

        // The next create (a recreate) keeps it: the clone's own data, written since.
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x43 1M 64k", disk.toString());
        assertThat(DiskImages.prepareCopy("db-test", layer, "snapshot nightly of db", 16L << 20, disk))
                .anyMatch(n -> n.startsWith("kept its existing disk"));
        assertThat(qemu("qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0x43 1M 64k", disk.toString())).doesNotContain("failed");

        // An overlay on some image at that place is data of another kind: refused, untouched.
        Path other = Files.createDirectories(dir.resolve("vms/web")).resolve("disk.qcow2");
        DiskImages.prepare("web", base, 0, other, policy());
        assertThatThrownBy(() -> DiskImages.prepareCopy("web", layer, "snapshot nightly of db", 0, other))
                .isInstanceOf(RuntimeFailure.class).hasMessageContaining("is a clone of " + base);
        assertThat(DiskImages.info("web", other).backing()).isEqualTo(base.toString());
    }

    private static String qemu(String... command) {
        Processes.Result r = Processes.run(List.of(command), Map.of(), null, Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out() + r.err();
    }
}
