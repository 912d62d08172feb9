package io.berth.source;

import io.berth.util.AtomicFiles;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whether the watched directory is really there, so that a directory that vanished is never read as
 * an empty one (which would prune every workload it declares, VMs with their disks). A problem is:
 * the directory does not exist, is not a directory, cannot be listed (permissions, a stale NFS
 * handle, an I/O error), or it now sits on a shallower mount than the one it was last loaded from —
 * the filesystem it was on (its own mount, a bind mount, or a mount above it) was unmounted, so
 * what is read now is whatever lies underneath. A directory that /etc/fstab says is (under) a mount
 * point where nothing is mounted is a problem too, which covers a filesystem not mounted at boot.
 *
 * <p>Where the directory sits is the longest mount point of {@code /proc/self/mountinfo} that
 * contains its real path; a filesystem mounted over it or above it later (a deeper mount) is taken
 * as the real one arriving, not as a problem. Without a readable mountinfo (not Linux) the device of
 * the directory is compared with its parent's: a directory that was its own mount (another device
 * than its parent) and no longer is was unmounted. Device numbers are not compared otherwise,
 * because a remount of the same filesystem may get a new one.
 *
 * <p>The mount point of the last good load is also recorded under the state directory, so the
 * first load after a start (a host boot where the filesystem did not get mounted, by fstab or by a
 * systemd mount unit) is compared with the one before it: a directory now on a shallower mount
 * <em>and without a manifest in it</em> is a problem (an empty mount point, not the manifests). One
 * that holds manifests is taken: the operator moved them there. The message says how to accept an
 * empty directory there for good (remove the record).
 *
 * <p>Used by the directory's loading thread only; not thread-safe.
 */
final class DirectoryPresence {

    private static final Logger LOG = Logger.getLogger(DirectoryPresence.class);
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path FSTAB = Path.of("/etc/fstab");

    private final Path dir;
    private final Path mountinfo;
    private final Path fstab;
    /** The mount point the directory sat on at its last good load; null before one. */
    private Path loadedFrom;
    /** Without mountinfo: whether the directory was its own mount at its last good load. */
    private boolean wasOwnMount;
    /** Where the mount point of the last good load is recorded across restarts; null: nowhere. */
    private final Path record;
    /** The mount point recorded by the last good load before this start; null when none. */
    private final Path before;

    DirectoryPresence(Path dir, Path record) {
        this(dir, MOUNTINFO, FSTAB, record);
    }

    /** With other mount tables, for tests. */
    DirectoryPresence(Path dir, Path mountinfo, Path fstab) {
        this(dir, mountinfo, fstab, null);
    }

    DirectoryPresence(Path dir, Path mountinfo, Path fstab, Path record) {
        this.dir = dir.toAbsolutePath().normalize();
        this.mountinfo = mountinfo;
        this.fstab = fstab;
        this.record = record;
        this.before = readRecord(record, this.dir);
    }

    /** The recorded mount point, when the record is about this directory; null otherwise. */
    private static Path readRecord(Path record, Path dir) {
        if (record == null || !Files.isRegularFile(record)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(record);
            return lines.size() >= 2 && lines.get(0).equals(dir.toString()) ? Path.of(lines.get(1)) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Null when the directory can be read as the one last loaded; otherwise what is wrong, in one line. */
    String problem() {
        if (!Files.exists(dir)) {
            String unmounted = unmountedFstabEntry();
            return "the manifest directory " + dir + " does not exist" + (unmounted != null
                    ? " (" + unmounted + ")" : " (moved or deleted, or the filesystem it is on is not mounted)");
        }
        if (!Files.isDirectory(dir)) {
            return "the manifest directory " + dir + " is not a directory";
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.iterator().hasNext(); // a stale NFS handle fails here, not at the open
        } catch (IOException | RuntimeException e) {
            return "the manifest directory " + dir + " cannot be read (" + e.getMessage() + ")";
        }
        String unmounted = unmountedFstabEntry();
        if (unmounted != null) {
            return "the manifest directory " + dir + " is not on its filesystem: " + unmounted;
        }
        List<Path> mounts = mountPoints();
        if (mounts != null) {
            Path now = mountOf(realPath(), mounts);
            if (loadedFrom != null && now != null && !now.startsWith(loadedFrom)) {
                return "the manifest directory " + dir + " was on the filesystem mounted at " + loadedFrom
                        + " when it was last loaded, and now is on the one at " + now
                        + ": that filesystem looks unmounted";
            }
            if (loadedFrom == null && before != null && now != null && !now.startsWith(before) && !holdsManifests()) {
                return "the manifest directory " + dir + " was on the filesystem mounted at " + before
                        + " when it was last loaded (before this start), and now is on the one at " + now
                        + " and holds no manifest: that filesystem looks not mounted (if the directory is meant to"
                        + " be empty there from now on, remove " + record + ")";
            }
        } else if (wasOwnMount && !ownMount()) {
            return "the manifest directory " + dir + " was a mount point when it was last loaded, and now is on"
                    + " its parent's filesystem: that filesystem looks unmounted";
        }
        return null;
    }

    /** A good load just read the directory as it is now: remember the filesystem it sits on. */
    void loaded() {
        List<Path> mounts = mountPoints();
        if (mounts != null) {
            Path now = mountOf(realPath(), mounts);
            if (now != null) {
                if (record != null && !now.equals(loadedFrom) && !now.equals(before)) {
                    writeRecord(now);
                }
                loadedFrom = now;
            }
        } else {
            wasOwnMount = ownMount();
        }
    }

    private void writeRecord(Path mount) {
        try {
            AtomicFiles.write(record, (dir + "\n" + mount + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Only the check across restarts is lost; the directory still loads.
            LOG.warnf("cannot record the manifest directory's filesystem in %s: %s", record, e.getMessage());
        }
    }

    /** Whether a manifest file (.yaml/.yml, not a dotfile) lies anywhere under the directory. */
    private boolean holdsManifests() {
        try (Stream<Path> all = Files.walk(dir, 16)) {
            return all.anyMatch(p -> {
                String n = p.getFileName().toString();
                return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml")) && Files.isRegularFile(p);
            });
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: not this check's to refuse
        }
    }

    private Path realPath() {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    /** The longest mount point that contains {@code path}, or null when none does. */
    static Path mountOf(Path path, List<Path> mounts) {
        Path best = null;
        for (Path m : mounts) {
            if (path.startsWith(m) && (best == null || m.getNameCount() >= best.getNameCount())) {
                best = m;
            }
        }
        return best;
    }

    /** Every mount point of the mount table, in its order; null when it cannot be read. */
    List<Path> mountPoints() {
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        List<Path> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                out.add(Path.of(unescape(f[4]))); // mount ID, parent ID, major:minor, root, mount point
            }
        }
        return out;
    }

    /**
     * An /etc/fstab mount point that is the directory or one of its parents, where nothing is
     * mounted now, in words; null when there is none (or no fstab, or no mount table to compare).
     */
    private String unmountedFstabEntry() {
        List<Path> mounted = mountPoints();
        if (mounted == null || !Files.isReadable(fstab)) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(fstab)) {
                String[] f = line.strip().split("\\s+");
                if (f.length < 2 || f[0].startsWith("#") || !f[1].startsWith("/") || f[1].equals("/")) {
                    continue; // comments, swap and "none"; the root is always mounted
                }
                Path point = Path.of(unescape(f[1])).normalize();
                if (dir.startsWith(point) && !mounted.contains(point)) {
                    return "/etc/fstab mounts " + f[0] + " at " + point + ", and nothing is mounted there";
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** Whether the directory is on another device than its parent: a mount point. */
    private boolean ownMount() {
        Path parent = dir.getParent();
        if (parent == null) {
            return false;
        }
        try {
            return !Files.getAttribute(dir, "unix:dev").equals(Files.getAttribute(parent, "unix:dev"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Mount tables write space, tab, newline and backslash as octal escapes ({@code \040}). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
