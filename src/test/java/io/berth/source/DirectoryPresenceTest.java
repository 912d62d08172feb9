package io.berth.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The presence rules against mount tables written by the test (the real ones are in ManifestDirectoryTest). */
class DirectoryPresenceTest {

    @TempDir
    Path tmp;

    Path table(String name, String... lines) throws Exception {
        return Files.write(tmp.resolve(name), List.of(lines));
    }

    static String mountLine(int id, Path point) {
        return id + " 1 0:" + id + " / " + point.toString().replace(" ", "\\040") + " rw - tmpfs tmpfs rw";
    }

    @Test
    void anFstabMountPointAboveTheDirectoryWithNothingMountedIsAProblem() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("srv/manifests"));
        Path fstab = table("fstab", "# comment", "UUID=abc none swap sw 0 0",
                "nfs:/export " + tmp.resolve("srv") + " nfs defaults 0 0");
        Path mountinfo = table("mountinfo", mountLine(1, Path.of("/")));
        DirectoryPresence p = new DirectoryPresence(dir, mountinfo, fstab);
        assertThat(p.problem()).contains(dir + " is not on its filesystem", "/etc/fstab mounts nfs:/export at "
                + tmp.resolve("srv"), "nothing is mounted there");

        Files.write(mountinfo, List.of(mountLine(1, Path.of("/")), mountLine(2, tmp.resolve("srv"))));
        assertThat(p.problem()).isNull();
    }

    @Test
    void aMissingDirectoryUnderAnUnmountedFstabEntryNamesTheEntry() throws Exception {
        Path dir = tmp.resolve("srv/manifests");
        Path fstab = table("fstab", "/dev/sdb1 " + tmp.resolve("srv") + " ext4 defaults 0 2");
        DirectoryPresence p = new DirectoryPresence(dir, table("mountinfo", mountLine(1, Path.of("/"))), fstab);
        assertThat(p.problem()).contains(dir + " does not exist", "/etc/fstab mounts /dev/sdb1");
    }

    @Test
    void aShallowerMountThanAtTheLastLoadIsAProblemADeeperOneIsNot() throws Exception {
        Path point = Files.createDirectories(tmp.resolve("with space"));
        Path dir = Files.createDirectories(point.resolve("manifests"));
        Path mountinfo = table("mountinfo", mountLine(1, Path.of("/")), mountLine(2, point));
        DirectoryPresence p = new DirectoryPresence(dir, mountinfo, tmp.resolve("no-fstab"));
        assertThat(p.problem()).isNull();
        p.loaded();

        Files.write(mountinfo, List.of(mountLine(1, Path.of("/")), mountLine(2, point), mountLine(3, dir)));
        assertThat(p.problem()).as("a filesystem mounted over it: the real one arriving").isNull();

        Files.write(mountinfo, List.of(mountLine(1, Path.of("/"))));
        assertThat(p.problem()).contains("was on the filesystem mounted at " + point, "now is on the one at /",
                "looks unmounted");
    }

    @Test
    void afterARestartAnEmptyDirectoryOnAShallowerMountThanTheLastLoadBeforeItIsAProblemOneWithManifestsIsNot()
            throws Exception {
        Path point = Files.createDirectories(tmp.resolve("mnt"));
        Path dir = Files.createDirectories(point.resolve("manifests"));
        Path record = tmp.resolve("state/manifest-mount");
        Path mountinfo = table("mountinfo", mountLine(1, Path.of("/")), mountLine(2, point));
        DirectoryPresence before = new DirectoryPresence(dir, mountinfo, tmp.resolve("no-fstab"), record);
        assertThat(before.problem()).isNull();
        before.loaded();
        assertThat(record).as("the last good load's filesystem, kept across restarts").hasContent(dir + "\n" + point);

        // The next start (a boot where nothing got mounted there, no fstab entry: a systemd mount unit).
        Files.write(mountinfo, List.of(mountLine(1, Path.of("/"))));
        DirectoryPresence after = new DirectoryPresence(dir, mountinfo, tmp.resolve("no-fstab"), record);
        assertThat(after.problem()).contains("was on the filesystem mounted at " + point, "before this start",
                "holds no manifest", "remove " + record);

        // Manifests put there by hand: the operator moved them, taken.
        Files.writeString(dir.resolve("web.yaml"), "");
        assertThat(after.problem()).isNull();
        after.loaded();
        assertThat(record).hasContent(dir + "\n/");

        // A record about another directory (the daemon now watches elsewhere) does not apply.
        Files.delete(dir.resolve("web.yaml"));
        Files.writeString(record, "/elsewhere\n" + point + "\n");
        assertThat(new DirectoryPresence(dir, mountinfo, tmp.resolve("no-fstab"), record).problem()).isNull();
    }

    @Test
    void withoutAMountTableNothingIsComparedButExistence() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        DirectoryPresence p = new DirectoryPresence(dir, tmp.resolve("no-mountinfo"), tmp.resolve("no-fstab"));
        p.loaded();
        assertThat(p.problem()).isNull(); // same device as its parent then and now
        Files.delete(dir);
        assertThat(p.problem()).contains("does not exist");
    }

    @Test
    void mountTableEscapesAreDecoded() {
        assertThat(DirectoryPresence.unescape("/mnt/a\\040b\\011c\\134d")).isEqualTo("/mnt/a b\tc\\d");
        assertThat(DirectoryPresence.unescape("/plain")).isEqualTo("/plain");
        assertThat(DirectoryPresence.mountOf(Path.of("/a/b/c"), List.of(Path.of("/"), Path.of("/a"), Path.of("/a/bb"))))
                .isEqualTo(Path.of("/a"));
    }
}
