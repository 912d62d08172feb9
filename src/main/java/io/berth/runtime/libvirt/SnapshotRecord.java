package io.berth.runtime.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.berth.util.AtomicFiles;
import io.berth.util.FileModes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A VM's snapshot record, {@code STATE/vms/NAME/snapshots.json} (0600, written whole with
 * {@link AtomicFiles}): the active layer (the overlay the domain writes), each named snapshot's
 * frozen layer, and at most one {@link Intent} — the journal of an operation in flight. An
 * operation writes the record with its intent, does its work, then writes the finished record
 * with no intent in one atomic write, so after a kill the intent says what to finish or roll
 * back. No record means no snapshot was ever taken: the active layer is {@code disk.qcow2}.
 * Immutable; {@link #read} and {@link #write} are the only I/O.
 *
 * @param format    the record's format (1); another is refused, never overwritten
 * @param active    the active layer's path
 * @param snapshots the named snapshots, oldest first
 * @param intent    the operation in flight, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SnapshotRecord(int format, String active, List<Entry> snapshots, Intent intent) {

    static final int FORMAT = 1;

    /** Snapshot names: like metadata names (a DNS label), so they fit any file or URL path. */
    static final Pattern NAME = io.berth.manifest.Syntax.SNAPSHOT_NAME;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** One named snapshot; {@code created} is ISO-8601 UTC, {@code madeBy} manual, scheduled or automatic. */
    record Entry(String name, String layer, String created, long sizeBytes, String madeBy) {
    }

    /**
     * An operation in flight. {@code op} is {@code create} or {@code restore}; {@code frozen} is
     * the layer that was active and is frozen by it, {@code next} the new active layer; for a
     * restore {@code from} is the snapshot's layer {@code next} is made on and {@code keptAs} the
     * automatic snapshot name the frozen layer gets.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Intent(String op, String snapshot, String frozen, String next, String from, String keptAs, String at,
                  long sizeBytes, String madeBy) {

        /** A manual create, or a restore (absent {@code madeBy}: what records written before it mean). */
        Intent(String op, String snapshot, String frozen, String next, String from, String keptAs, String at,
               long sizeBytes) {
            this(op, snapshot, frozen, next, from, keptAs, at, sizeBytes, null);
        }

        Intent withSize(long bytes) {
            return new Intent(op, snapshot, frozen, next, from, keptAs, at, bytes, madeBy);
        }
    }

    SnapshotRecord {
        snapshots = List.copyOf(Objects.requireNonNullElse(snapshots, List.of()));
    }

    /** The record a VM without one has: {@code disk.qcow2} active, no snapshot, nothing in flight. */
    static SnapshotRecord initial(Path baseDisk) {
        return new SnapshotRecord(FORMAT, baseDisk.toString(), List.of(), null);
    }

    /**
     * The record at {@code file}, or empty when there is none.
     *
     * @throws IllegalStateException naming the file when it cannot be read (hand-edited, another
     *                               format): callers refuse to act, and never overwrite it
     */
    static Optional<SnapshotRecord> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        SnapshotRecord r;
        try {
            r = JSON.readValue(bytes, SnapshotRecord.class);
        } catch (IOException e) {
            throw new IllegalStateException(file + " cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (r.format() != FORMAT || r.active() == null || r.active().isBlank()) {
            throw new IllegalStateException(file + " is not a snapshot record of format " + FORMAT
                    + " (format " + r.format() + ", active " + r.active() + ")");
        }
        return Optional.of(r);
    }

    /** Writes this record whole in place of the old one (0600). */
    void write(Path file) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(this));
        FileModes.restrict(file, FileModes.PRIVATE_FILE);
    }

    Optional<Entry> find(String name) {
        return snapshots.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    SnapshotRecord withIntent(Intent i) {
        return new SnapshotRecord(format, active, snapshots, i);
    }

    /** The record after its intent finished: {@code next} active, the frozen layer named. */
    SnapshotRecord finished() {
        Intent i = Objects.requireNonNull(intent, "no intent");
        List<Entry> all = new ArrayList<>(snapshots);
        String name = "create".equals(i.op()) ? i.snapshot() : i.keptAs();
        all.add(new Entry(name, i.frozen(), i.at(), i.sizeBytes(), !"create".equals(i.op()) ? "automatic"
                : i.madeBy() != null ? i.madeBy() : "manual"));
        return new SnapshotRecord(format, i.next(), all, null);
    }

    /** The record after its intent was rolled back: as before it. */
    SnapshotRecord rolledBack() {
        return new SnapshotRecord(format, active, snapshots, null);
    }

    SnapshotRecord without(String name) {
        return new SnapshotRecord(format, active, snapshots.stream().filter(e -> !e.name().equals(name)).toList(), intent);
    }

    /** What to do with an intent found after a kill. */
    enum Settle { FINISH, ROLL_BACK, UNKNOWN }

    /**
     * Decides from where the domain's disk points now: {@code live} (null when it is not running)
     * and {@code persistent} (its definition). The new layer in use anywhere means the operation
     * took effect: finish it. The old layer everywhere means it did not: roll back (the new layer,
     * if made, was never used). Anything else is not Berth's doing: leave it and say so.
     */
    static Settle settle(Intent i, String live, String persistent) {
        if (i.next().equals(live) || (live == null && i.next().equals(persistent))) {
            return Settle.FINISH;
        }
        if ((live == null || i.frozen().equals(live)) && i.frozen().equals(persistent)) {
            return Settle.ROLL_BACK;
        }
        return Settle.UNKNOWN;
    }

    /**
     * A valid snapshot name, or an {@link IllegalArgumentException} saying what is valid.
     * Names made by Berth ({@code 20261201T2215Z}, {@code before-restore-...}) are valid too.
     */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("snapshot name " + (name == null ? "(none)" : "\"" + name + "\"")
                    + " is not valid (" + io.berth.manifest.Syntax.SNAPSHOT_VALID + ")");
        }
        return name;
    }
}
