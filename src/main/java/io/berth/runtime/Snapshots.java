package io.berth.runtime;

import io.berth.manifest.Kind;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An optional runtime feature: snapshots of a workload's data (CONTRACT §6.2), kept by the runtime
 * on the host and restored in place; the workload's spec stays the manifest's. Every operation is
 * crash-safe (a kill at any point leaves the workload as before or after it, finished or rolled
 * back by the next operation on it) and none ever writes into a shared base image. Blocking;
 * implementations are thread-safe, but callers serialise operations per workload name.
 */
public interface Snapshots {

    /**
     * Manual snapshots are the user's; scheduled ones the daemon took for {@code spec.snapshots}
     * (and removes beyond its {@code keep}); automatic ones Berth made (the disk in use before a restore).
     */
    enum MadeBy { manual, scheduled, automatic }

    /**
     * One snapshot.
     *
     * @param name      its name, unique per workload
     * @param workload  the workload's Berth name
     * @param created   when it was taken
     * @param sizeBytes the space its frozen layer takes on the host's disk
     * @param madeBy    who made it
     * @param layer     the file holding it (a frozen copy-on-write layer)
     */
    record Snapshot(String name, String workload, Kind kind, Instant created, long sizeBytes, MadeBy madeBy,
                    String layer) {
    }

    /**
     * What an operation did: the snapshot it made, restored or deleted, and notes worth a line
     * (crash-consistent or quiesced, a layer kept because another one needs it, ...).
     */
    record Done(Snapshot snapshot, List<String> notes, Duration took) {
    }

    /** Freezes the workload's data now as {@code snapshot} (null: its UTC time {@code 20261201T2215Z}), made by the user. */
    default Done createSnapshot(String name, String snapshot) {
        return createSnapshot(name, snapshot, MadeBy.manual);
    }

    /** The same, recorded as made by {@code madeBy} (manual or scheduled). */
    Done createSnapshot(String name, String snapshot, MadeBy madeBy);

    /** The snapshots of {@code name}, oldest first; every workload's when {@code name} is null. */
    List<Snapshot> snapshots(String name);

    /**
     * Stops the workload (after {@code grace}), keeps its current data as an automatic snapshot
     * first, puts the data of {@code snapshot} back and runs the workload again.
     */
    Done restoreSnapshot(String name, String snapshot, Duration grace);

    /** Forgets {@code snapshot}; its data is removed unless another snapshot or the workload needs it. */
    Done deleteSnapshot(String name, String snapshot);

    /** No such snapshot (or workload): the API's 404. */
    final class NotFound extends RuntimeFailure {
        public NotFound(String workload, String message) {
            super(workload, message);
        }
    }

    /** A request that can never succeed as given (an invalid name, a kind without snapshots): the API's 400. */
    final class Invalid extends RuntimeFailure {
        public Invalid(String workload, String message) {
            super(workload, message);
        }
    }
}
