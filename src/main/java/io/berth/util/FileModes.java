package io.berth.util;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;

/**
 * The permission modes of what Berth writes under its state directory: files 0600, directories
 * 0700, and 0711 for the few directories libvirt's qemu user must traverse (to a VM's disk, seed
 * and console), so no other user can list or read anything. Modes are set explicitly rather than
 * left to the umask, and directories are created with their mode (never created open and closed
 * afterwards). On a file system without POSIX permissions these calls change nothing.
 */
public final class FileModes {

    /** rw-------: every file Berth writes. */
    public static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    /** rwx------: directories only Berth (root) enters. */
    public static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    /** rwx--x--x: directories the qemu user must pass through but not list. */
    public static final Set<PosixFilePermission> TRAVERSABLE_DIR = PosixFilePermissions.fromString("rwx--x--x");

    private FileModes() {
    }

    /** Creates {@code dir} and any missing parent with mode 0700; an existing directory keeps its mode. */
    public static void privateDirectory(Path dir) throws IOException {
        directory(dir, PRIVATE_DIR);
    }

    /** Creates {@code dir} and any missing parent with mode 0711; an existing directory keeps its mode. */
    public static void traversableDirectory(Path dir) throws IOException {
        directory(dir, TRAVERSABLE_DIR);
    }

    private static void directory(Path dir, Set<PosixFilePermission> mode) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                set(p, mode); // the umask may have taken bits away; set exactly
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    throw e;
                }
                // made meanwhile by another thread or process: its mode is its creator's
            }
        }
    }

    /** Sets exactly this mode (no-op where the file system has no POSIX permissions). */
    public static void set(Path path, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
            view.setPermissions(mode);
        }
    }

    /**
     * Takes away every permission beyond {@code most} (a umask applied afterwards), keeping the
     * rest: a read-only file stays read-only. Symbolic links are left alone.
     */
    public static void restrict(Path path, Set<PosixFilePermission> most) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null || Files.isSymbolicLink(path)) {
            return;
        }
        Set<PosixFilePermission> now = view.readAttributes().permissions();
        Set<PosixFilePermission> kept = now.isEmpty() ? EnumSet.noneOf(PosixFilePermission.class) : EnumSet.copyOf(now);
        kept.retainAll(most);
        if (!kept.equals(now)) {
            view.setPermissions(kept);
        }
    }

    /**
     * Restricts a tree another library wrote with its own umask (JGit's repository): files to at
     * most 0600, directories to at most 0700. Files that vanish meanwhile (JGit's locks and
     * background garbage collection) are skipped.
     */
    public static void restrictTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                return skipVanished(dir, PRIVATE_DIR);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                return skipVanished(file, PRIVATE_FILE);
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static FileVisitResult skipVanished(Path p, Set<PosixFilePermission> most) throws IOException {
        try {
            restrict(p, most);
        } catch (NoSuchFileException e) {
            // removed while we walked: nothing left to restrict
        }
        return FileVisitResult.CONTINUE;
    }
}
