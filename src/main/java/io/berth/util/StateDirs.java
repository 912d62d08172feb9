package io.berth.util;

import java.nio.file.Path;

/**
 * Where Berth keeps its state by default ({@code berth.state-dir}): the API token, applied
 * sources, VM disks and consoles, cached host facts; and the image directory under it. The one
 * place these paths are spelled.
 */
public final class StateDirs {

    /** The default state directory (a constant expression, so configuration defaults can name it). */
    public static final String DEFAULT = "/var/lib/berth";

    /** The default directory of VM base images, kernels and initrds. */
    public static final String IMAGES = DEFAULT + "/images";

    private StateDirs() {
    }

    /** BERTH_STATE_DIR, else the default: what the CLI uses, as the daemon's {@code berth.state-dir} does. */
    public static Path fromEnvironment() {
        String env = System.getenv("BERTH_STATE_DIR");
        return Path.of(env == null || env.isBlank() ? DEFAULT : env);
    }
}
