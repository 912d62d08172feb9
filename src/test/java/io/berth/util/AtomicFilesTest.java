package io.berth.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Atomic writes are 0600 in 0700 directories, replace the old content, and leave no temporary file. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void writesPrivateFilesInPrivateDirectoriesAndReplacesAtomically() throws Exception {
        Path target = dir.resolve("a/b/status.json");
        AtomicFiles.write(target, "one".getBytes());
        assertThat(target).hasContent("one");
        assertThat(mode(target)).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("a/b"))).isEqualTo("rwx------");

        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(target.resolveSibling(".status.json.tmp"), "stale"); // a crash's leftover
        Files.setPosixFilePermissions(target.resolveSibling(".status.json.tmp"), PosixFilePermissions.fromString("rw-rw-rw-"));
        AtomicFiles.write(target, "two".getBytes());
        assertThat(target).hasContent("two");
        assertThat(mode(target)).as("the new file's mode, not the old one's").isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void severalFilesAreWrittenAllOrNone() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        AtomicFiles.write(a, "a1".getBytes());
        AtomicFiles.write(b, "b1".getBytes());
        // b's temporary file cannot be made (a non-empty directory holds its name): a fails with it.
        Files.createDirectories(dir.resolve(".b.json.tmp/x"));
        Map<Path, byte[]> both = new LinkedHashMap<>();
        both.put(a, "a2".getBytes());
        both.put(b, "b2".getBytes());
        assertThatThrownBy(() -> AtomicFiles.writeAll(both)).isInstanceOf(java.io.IOException.class);
        assertThat(a).as("not written when another file of the same write fails").hasContent("a1");
        assertThat(b).hasContent("b1");
        assertThat(dir.resolve(".a.json.tmp")).as("no temporary file left").doesNotExist();

        Files.delete(dir.resolve(".b.json.tmp/x"));
        Files.delete(dir.resolve(".b.json.tmp"));
        AtomicFiles.writeAll(both);
        assertThat(a).hasContent("a2");
        assertThat(b).hasContent("b2");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(a, b);
        }
    }

    @Test
    void restrictingKeepsReadOnlyFilesReadOnlyAndTheStateDirectoryTraversable() throws Exception {
        Path tree = dir.resolve("cache.git");
        Files.createDirectories(tree.resolve("objects/pack"));
        Path pack = Files.writeString(tree.resolve("objects/pack/p.pack"), "x");
        Files.setPosixFilePermissions(pack, PosixFilePermissions.fromString("r--r--r--"));
        Path config = Files.writeString(tree.resolve("config"), "y");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw-r--"));
        FileModes.restrictTree(tree);
        assertThat(mode(pack)).isEqualTo("r--------");
        assertThat(mode(config)).isEqualTo("rw-------");
        assertThat(mode(tree.resolve("objects/pack"))).isEqualTo("rwx------");

        Path state = dir.resolve("state");
        Files.createDirectory(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        StateDirs.secure(state);
        assertThat(mode(state)).isEqualTo("rwx--x--x");
        Path fresh = dir.resolve("fresh/state");
        StateDirs.secure(fresh);
        assertThat(mode(fresh)).isEqualTo("rwx--x--x");
        assertThat(mode(fresh.getParent())).isEqualTo("rwx--x--x");
    }

    @Test
    void theHostKeyIsMadeOnceAndKept() throws Exception {
        byte[] first = new HostKey(dir).get();
        assertThat(first).hasSize(32);
        assertThat(mode(dir.resolve(HostKey.FILE))).isEqualTo("rw-------");
        assertThat(new HostKey(dir).get()).as("another process reads the same key").isEqualTo(first);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve(HostKey.FILE));
        }
    }
}
