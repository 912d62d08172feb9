package io.berth.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a manifest may ask of the host, checked when it is read (so {@code validate}, {@code plan}
 * and the daemon refuse it with the field's position, before anything runs):
 * <ul>
 * <li>Host paths: where virtual machine base images, kernels and initrds may come from. A VM's
 * disk is a copy-on-write overlay on its base image, and QEMU reads kernels as root, so a manifest
 * must not be able to point at arbitrary host files: paths are checked lexically (no {@code ..}
 * escape) and, where the file exists, after resolving symlinks. (Containers get named volumes
 * only, never host paths, and always their own network namespace, never the host's.)</li>
 * <li>Privileged containers: a privileged container is root on the host, so it is denied unless
 * the host's configuration allows it.</li>
 * </ul>
 * Immutable, thread-safe.
 */
public record HostPolicy(List<Path> allowedDirs, boolean allowPrivileged) {

    public static final Path DEFAULT_DIR = Path.of(io.berth.util.StateDirs.IMAGES);

    /** Only /var/lib/berth/images; no privileged containers. */
    public static final HostPolicy DEFAULT = new HostPolicy(List.of(DEFAULT_DIR), false);

    /** Accepts anything: for re-reading specs Berth itself recorded earlier. */
    public static final HostPolicy ANY = new HostPolicy(List.of(Path.of("/")), true);

    /** Image directories only; privileged containers denied. */
    public HostPolicy(List<Path> allowedDirs) {
        this(allowedDirs, false);
    }

    /**
     * BERTH_IMAGE_DIRS (colon-separated, else /var/lib/berth/images) and BERTH_ALLOW_PRIVILEGED
     * ({@code true} allows privileged containers). The daemon reads the same keys from its
     * configuration ({@code berth.image-dirs}, {@code berth.allow-privileged}), which Quarkus also
     * fills from these variables.
     */
    public static HostPolicy fromEnvironment() {
        return of(System.getenv("BERTH_IMAGE_DIRS"), "true".equalsIgnoreCase(System.getenv("BERTH_ALLOW_PRIVILEGED")));
    }

    /** From a colon-separated directory list (blank: the default directory) and the privileged switch. */
    public static HostPolicy of(String imageDirs, boolean allowPrivileged) {
        if (imageDirs == null || imageDirs.isBlank()) {
            return new HostPolicy(List.of(DEFAULT_DIR), allowPrivileged);
        }
        return new HostPolicy(Arrays.stream(imageDirs.split(":")).filter(s -> !s.isBlank()).map(Path::of).toList(),
                allowPrivileged);
    }

    /** Null when privileged containers are allowed, else why not and how to allow them. */
    public String privilegedProblem() {
        return allowPrivileged ? null : "privileged containers are denied by this host's policy (a privileged container"
                + " is root on the host; valid: false, or set BERTH_ALLOW_PRIVILEGED=true for the agent to allow them)";
    }

    /** Null when the path is allowed, else the problem in words, with what would be valid. */
    public String problem(String path) {
        Path p = Path.of(path);
        Path normal = p.normalize();
        if (!inside(normal, false)) {
            return Messages.quote(path) + " is outside the allowed image directories (valid: a file under "
                    + dirs() + "; set BERTH_IMAGE_DIRS to allow others)";
        }
        if (Files.exists(p) && !inside(real(p), true)) {
            return Messages.quote(path) + " resolves through a symlink to " + real(p)
                    + ", outside the allowed image directories (valid: a file under " + dirs() + ")";
        }
        return null;
    }

    private boolean inside(Path path, boolean resolveDirs) {
        for (Path dir : allowedDirs) {
            Path d = resolveDirs && Files.exists(dir) ? real(dir) : dir.normalize();
            if (path.startsWith(d) && !path.equals(d)) {
                return true;
            }
        }
        return false;
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.normalize();
        }
    }

    private String dirs() {
        return allowedDirs.stream().map(Path::toString).collect(Collectors.joining(", "));
    }
}
