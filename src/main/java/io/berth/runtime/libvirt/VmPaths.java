package io.berth.runtime.libvirt;

import io.berth.util.FileModes;
import io.berth.util.StateDirs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where Berth keeps a VM's own files: its disk overlay, its cloud-init seed and its serial console
 * log, under {@code STATE/vms/NAME/}. Derived from the name alone, so a recreated VM finds its
 * disk again and nothing has to be remembered outside the runtime.
 *
 * <p>Modes: the state directory, {@code vms} and {@code vms/NAME} are 0711 — libvirt's qemu user
 * must pass through them to open the disk and seed, but nobody else may list them — and the files
 * are 0600: libvirt's DAC driver ({@code dynamic_ownership}, on by default) chowns the disk and
 * seed to the qemu user when it starts the domain, and libvirt itself creates the console log 0600.
 */
record VmPaths(Path stateDir) {

    Path dir(String name) {
        return stateDir.resolve("vms").resolve(name);
    }

    Path disk(String name) {
        return dir(name).resolve("disk.qcow2");
    }

    Path seed(String name) {
        return dir(name).resolve("seed.iso");
    }

    Path console(String name) {
        return dir(name).resolve("console.log");
    }

    /** Creates the VM's directory (and the ones above it) 0711, tightening ones an older Berth made 0755. */
    Path prepare(String name) throws IOException {
        StateDirs.secure(stateDir);
        Path vms = stateDir.resolve("vms");
        FileModes.traversableDirectory(dir(name));
        FileModes.restrict(vms, FileModes.TRAVERSABLE_DIR);
        FileModes.restrict(dir(name), FileModes.TRAVERSABLE_DIR);
        return dir(name);
    }
}
