package io.berth.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where Berth keeps its state by default ({@code berth.state-dir}): the API token, applied
 * sources, VM disks and consoles, cached host facts; and the image directory under it. The one
 * place these paths are spelled, and where the state directory's own mode is kept: 0711, so that
 * libvirt's qemu user can reach {@code vms/NAME/disk.qcow2} but no other user can list it (what is
 * inside is 0600 and 0700, see {@link FileModes}).
 */
public final class StateDirs {

    /** The default state directory (a constant expression, so configuration defaults can name it). */
    public static final String DEFAULT = "/var/lib/berth";

    /** The default directory of VM base images, kernels and initrds. */
    public static final String IMAGES = DEFAULT + "/images";

    private StateDirs() {
    }

    /**
     * Creates the state directory 0711 if missing, or takes read and write away from group and
     * others on an existing one (the execute bit stays: qemu traverses it). Idempotent and cheap.
     */
    public static Path secure(Path stateDir) throws IOException {
        if (Files.isDirectory(stateDir)) {
            FileModes.restrict(stateDir, FileModes.TRAVERSABLE_DIR);
        } else {
            FileModes.traversableDirectory(stateDir);
        }
        return stateDir;
    }

    /** BERTH_STATE_DIR, else the default: what the CLI uses, as the daemon's {@code berth.state-dir} does. */
    public static Path fromEnvironment() {
        String env = System.getenv("BERTH_STATE_DIR");
        return Path.of(env == null || env.isBlank() ? DEFAULT : env);
    }
}
