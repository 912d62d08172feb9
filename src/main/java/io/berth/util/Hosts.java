package io.berth.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name, as the kernel has it (no DNS lookup: it is read on every CLI start). */
public final class Hosts {

    private Hosts() {
    }

    public static String name() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null || h.isBlank() ? "localhost" : h;
        }
    }
}
