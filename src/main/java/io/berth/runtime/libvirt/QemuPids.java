package io.berth.runtime.libvirt;

import io.berth.runtime.OwnershipLabels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * libvirt's QEMU driver writes each running domain's process id to {@code RUN/<domain>.pid}; this
 * reads it without a libvirt call, so the sampler can find a VM's QEMU process cheaply.
 */
final class QemuPids {

    /** Where libvirt's system QEMU driver keeps its run files. */
    static final Path RUN_DIR = Path.of("/run/libvirt/qemu");

    private QemuPids() {
    }

    static OptionalLong of(String workloadName) {
        try {
            return OptionalLong.of(Long.parseLong(
                    Files.readString(RUN_DIR.resolve(OwnershipLabels.objectName(workloadName) + ".pid")).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
