package io.berth.runtime.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Facts about this host learnt the hard way and kept until the next boot, so every later CLI run
 * does not pay to learn them again: here, that QEMU cannot be started with a memtune hard limit
 * (the host lacks CAP_SYS_RESOURCE), which is only found out by a start that fails after QEMU has
 * launched.
 */
final class HostFacts {

    private HostFacts() {
    }

    static boolean refusesMemtuneAtStart(Path stateDir) {
        Path f = stateDir.resolve("memtune-refused-at-start");
        try {
            return Files.isRegularFile(f) && Files.readString(f).strip().equals(bootId());
        } catch (IOException e) {
            return false;
        }
    }

    static void rememberMemtuneRefusedAtStart(Path stateDir) {
        try {
            io.berth.util.StateDirs.secure(stateDir);
            io.berth.util.AtomicFiles.write(stateDir.resolve("memtune-refused-at-start"),
                    (bootId() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            // not remembered: the next VM tries the hard limit at start again, which still works
        }
    }

    static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "unknown-boot";
        }
    }
}
