package io.berth.runtime.libvirt;

import io.berth.runtime.RuntimeFailure;
import io.berth.util.FileModes;
import io.berth.util.StateDirs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where Berth keeps a VM's own files: its disk overlay, its cloud-init seed and its serial console
 * log, under {@code STATE/vms/NAME/}. Derived from the name alone (and the VM's own snapshot record
 * in that directory), so a recreated VM finds its disk again and nothing has to be remembered
 * outside the runtime.
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

    /**
     * The VM's active disk layer, the one its domain writes: {@code disk.qcow2} until a snapshot
     * is taken, then the active layer its {@link SnapshotRecord} names (under {@code layers/}).
     * A record Berth cannot read is a {@link RuntimeFailure}: nothing guesses a disk.
     */
    Path disk(String name) {
        try {
            return SnapshotRecord.read(record(name)).map(r -> Path.of(r.active())).orElse(baseDisk(name));
        } catch (IllegalStateException e) {
            throw new RuntimeFailure(name, name + ": " + e.getMessage() + "; Berth leaves its disk alone"
                    + " (restore the file, or move it away if the VM has no snapshots)");
        }
    }

    /** The VM's first layer, its clone of the base image (frozen once a snapshot is taken). */
    Path baseDisk(String name) {
        return dir(name).resolve("disk.qcow2");
    }

    /** Berth's snapshot record and journal of the VM ({@link SnapshotRecord}). */
    Path record(String name) {
        return dir(name).resolve("snapshots.json");
    }

    /** Where the VM's later layers are (0711): each snapshot freezes one and adds one. */
    Path layers(String name) {
        return dir(name).resolve("layers");
    }

    /** The mark of a disk restored from a backup archive ({@link VmBackups}): its create keeps it. */
    Path restored(String name) {
        return dir(name).resolve("restored.json");
    }

    /** The data a VM's directory holds, as it is kept aside together on delete: disk, layers, record, restore mark. */
    java.util.List<Path> data(String name) {
        return java.util.List.of(baseDisk(name), layers(name), record(name), restored(name));
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
