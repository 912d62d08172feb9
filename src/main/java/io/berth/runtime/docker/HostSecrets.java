package io.berth.runtime.docker;

import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.RuntimeFailure;
import io.berth.util.FileModes;
import io.berth.util.StateDirs;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The host side of {@code spec.secrets}: each value is written to
 * {@code ROOT/AGENT/WORKLOAD/NAME} with the secret's mode and owner (directories 0700), and that
 * one file is bind-mounted read-only at its mountPath, so the container sees the mode and owner
 * asked for and can never write it; nothing goes into the image, a volume or a label. ROOT is
 * {@code BERTH_SECRETS_DIR}, else the first of {@code /run/berth/secrets} and
 * {@code /dev/shm/berth/secrets} on a tmpfs (memory: values never reach a disk), else
 * {@code STATE/secrets} (on disk, 0700; {@link #warning} says so). A workload's files are
 * replaced whole when it is created (each file by an atomic rename, so a container still running
 * keeps the value it was started with) and removed with the container.
 *
 * <p>Blocking (file I/O); thread-safe for different workloads (calls for one name are serialised
 * by the reconciler).
 */
final class HostSecrets {

    static final List<Path> TMPFS_CANDIDATES = List.of(Path.of("/run/berth/secrets"), Path.of("/dev/shm/berth/secrets"));

    private final Path dir;
    private final String warning;

    HostSecrets(String agent) {
        Path root;
        String warn = null;
        String env = System.getenv("BERTH_SECRETS_DIR");
        if (env != null && !env.isBlank()) {
            root = Path.of(env);
        } else {
            root = TMPFS_CANDIDATES.stream().filter(HostSecrets::onTmpfs).findFirst().orElse(null);
            if (root == null) {
                root = StateDirs.fromEnvironment().resolve("secrets");
                warn = "no tmpfs at /run or /dev/shm: secret files are kept on disk under " + root + " (0700)";
            }
        }
        this.dir = root.resolve(agent);
        this.warning = warn;
    }

    /** Why values sit on a disk, or null when they are kept in memory (a tmpfs or BERTH_SECRETS_DIR). */
    String warning() {
        return warning;
    }

    /** Where a workload's secret files are kept. */
    Path of(String workload) {
        return dir.resolve(workload);
    }

    /**
     * Writes the workload's secret files (replacing any from before) and returns their read-only
     * bind mounts; none for a workload without secrets.
     */
    List<Mount> write(Workload w) {
        List<ContainerSpec.Secret> secrets = ((ContainerSpec) w.spec()).secrets();
        if (secrets.isEmpty()) {
            remove(w.name());
            return List.of();
        }
        Path home = of(w.name());
        List<Mount> mounts = new ArrayList<>();
        try {
            FileModes.privateDirectory(home);
            FileModes.set(home, FileModes.PRIVATE_DIR);
            for (ContainerSpec.Secret s : secrets) {
                if (s.content() == null || io.berth.manifest.Redaction.isDigest(s.content())) {
                    throw new RuntimeFailure(w.name(), w.name() + ": secret " + s.name() + " was not read from " + s.file()
                            + " (only a manifest loaded from files carries its secrets' values)");
                }
                Path file = home.resolve(s.name());
                writeFile(file, s);
                mounts.add(new Mount().withType(MountType.BIND).withSource(file.toString()).withTarget(s.mountPath())
                        .withReadOnly(true));
            }
            try (Stream<Path> old = Files.list(home)) {
                Set<String> names = new java.util.HashSet<>(secrets.stream().map(ContainerSpec.Secret::name).toList());
                for (Path p : old.toList()) {
                    if (!names.contains(p.getFileName().toString())) {
                        Files.deleteIfExists(p); // a secret no longer declared
                    }
                }
            }
        } catch (IOException e) {
            throw new RuntimeFailure(w.name(), w.name() + ": cannot write its secret files under " + home + ": " + e.getMessage(), e);
        }
        return List.copyOf(mounts);
    }

    private static void writeFile(Path file, ContainerSpec.Secret s) throws IOException {
        Path tmp = file.resolveSibling("." + s.name() + ".tmp");
        Files.deleteIfExists(tmp);
        // Created 0600 and root's: the value is never readable by anyone else, not even while written.
        Files.write(tmp, s.bytes(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileModes.set(tmp, FileModes.PRIVATE_FILE);
        // Owner first, then the mode: a chown clears no bits we set after it. Asked only when it differs
        // from the writer's, so an unprivileged agent still writes root-less secrets of its own uid.
        if (!Integer.valueOf(s.uid()).equals(Files.getAttribute(tmp, "unix:uid"))) {
            Files.setAttribute(tmp, "unix:uid", s.uid());
        }
        if (!Integer.valueOf(s.gid()).equals(Files.getAttribute(tmp, "unix:gid"))) {
            Files.setAttribute(tmp, "unix:gid", s.gid());
        }
        Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setPermissions(permissions(s.mode()));
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                out.add(bits[i]);
            }
        }
        return out;
    }

    /** Removes the workload's secret files; idempotent. */
    void remove(String workload) {
        Path home = of(workload);
        if (!Files.exists(home)) {
            return;
        }
        try (Stream<Path> all = Files.walk(home)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new RuntimeFailure(workload, workload + ": cannot remove its secret files under " + home + ": " + e.getMessage(), e);
        }
    }

    private static boolean onTmpfs(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing != null && Files.getFileStore(existing).type().equals("tmpfs") && writable(p, existing);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean writable(Path p, Path existing) {
        return Files.isDirectory(p) ? Files.isWritable(p) : Files.isWritable(existing);
    }
}
