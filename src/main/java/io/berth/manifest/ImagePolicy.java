package io.berth.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where virtual machine base images, kernels and initrds may come from. A VM's disk is a
 * copy-on-write overlay on its base image, and QEMU reads kernels as root, so a manifest must not
 * be able to point at arbitrary host files: paths are checked lexically (no {@code ..} escape)
 * and, where the file exists, after resolving symlinks. Immutable, thread-safe.
 */
public record ImagePolicy(List<Path> allowedDirs) {

    public static final Path DEFAULT_DIR = Path.of("/var/lib/berth/images");

    /** Only /var/lib/berth/images. */
    public static final ImagePolicy DEFAULT = new ImagePolicy(List.of(DEFAULT_DIR));

    /** Accepts any absolute path: for re-reading specs Berth itself recorded earlier. */
    public static final ImagePolicy ANY = new ImagePolicy(List.of(Path.of("/")));

    /** BERTH_IMAGE_DIRS (colon-separated), else /var/lib/berth/images. */
    public static ImagePolicy fromEnvironment() {
        String env = System.getenv("BERTH_IMAGE_DIRS");
        if (env == null || env.isBlank()) {
            return DEFAULT;
        }
        return new ImagePolicy(Arrays.stream(env.split(":")).filter(s -> !s.isBlank()).map(Path::of).toList());
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
