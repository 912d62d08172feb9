package io.berth.runtime.libvirt;

import java.nio.file.Path;

/**
 * Where Berth keeps a VM's own files: its disk overlay, its cloud-init seed and its serial console
 * log, under {@code STATE/vms/NAME/}. Derived from the name alone, so a recreated VM finds its
 * disk again and nothing has to be remembered outside the runtime.
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
}
