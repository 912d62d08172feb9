package io.berth.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Files that a crash leaves old or new, never half-written or empty, and that only their owner
 * can read: the content goes to a temporary file beside the target, created 0600, which is
 * fsynced, renamed over the target, and then the directory is fsynced so the rename itself is on
 * disk (a rename without the file's fsync can leave a zero-length file after a power loss on
 * ext4 and XFS; without the directory's, the old name can come back).
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to {@code target} atomically with mode 0600, creating missing parent
     * directories with mode 0700. When that fails (a full file system, say), the temporary file is
     * removed and the target is left as it was.
     */
    public static void write(Path target, byte[] content) throws IOException {
        writeAll(Map.of(target, content));
    }

    /**
     * Writes several files so that a failure to write any leaves all as they were: every content
     * goes to its temporary file first (the part that needs space, and fails on a full file
     * system), and only when all are on disk are they renamed over their targets. On a failure
     * before the renames every temporary file is removed and no target is touched.
     */
    public static void writeAll(Map<Path, byte[]> contents) throws IOException {
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
                Path target = e.getKey();
                Path dir = target.toAbsolutePath().getParent();
                FileModes.privateDirectory(dir);
                Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
                Files.deleteIfExists(tmp); // a leftover of a crash may have another mode; the new one is created 0600
                temps.put(target, tmp);
                writeSynced(tmp, e.getValue());
            }
            for (Map.Entry<Path, Path> t : temps.entrySet()) {
                try {
                    Files.move(t.getValue(), t.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(t.getValue(), t.getKey(), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Path tmp : temps.values()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        Set<Path> dirs = new LinkedHashSet<>();
        temps.keySet().forEach(t -> dirs.add(t.toAbsolutePath().getParent()));
        for (Path dir : dirs) {
            syncDirectory(dir);
        }
    }

    private static void writeSynced(Path tmp, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        FileModes.set(tmp, FileModes.PRIVATE_FILE); // exactly 0600, whatever the umask
    }

    /** fsync of a directory, so a rename or creation in it survives a crash. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open or sync a directory; the rename is still atomic there.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }
}
