package io.berth.runtime;

import io.berth.manifest.Workload;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * An optional runtime feature: a workload's data out as one standalone file for a backup archive,
 * and such a file back in as a workload's data (CONTRACT §6.2, {@code agent backup} and {@code
 * agent restore --from}). The archive format itself is {@code io.berth.backup}'s; a runtime only
 * makes and adopts the data. Blocking; thread-safe, but callers serialise per workload name.
 */
public interface Backups {

    /**
     * What {@link #exportData} made.
     *
     * @param applied  the workload's recorded spec (secret values as digests, as recorded)
     * @param snapshot the point in time the data is from (the snapshot it was read from)
     * @param at       when that point was taken
     * @param notes    worth a line each (crash-consistent or quiesced, a layer kept)
     */
    record Exported(Workload applied, String snapshot, Instant at, List<String> notes) {
    }

    /**
     * Writes a consistent, standalone copy of the workload's data to {@code out} (which must not
     * exist; made 0600), never writing the workload's own files; {@code out} is deleted again on
     * failure. Any temporary state it needed (a snapshot) is gone again when it returns or throws.
     *
     * @throws RuntimeFailure naming the workload when it is not managed here or cannot be read
     */
    Exported exportData(String name, Path out);

    /** Writes the data's bytes into the file it is given (0600, empty), which the runtime then puts in place. */
    interface DataWriter {
        void writeTo(Path file) throws IOException;
    }

    /**
     * Puts restored data in place as workload {@code name}'s, exactly where its next create looks
     * for it (and marks it as restored from {@code origin}, so that create adopts it), or refuses
     * with a {@link RuntimeFailure} "nothing was changed" when a workload of that name exists or
     * data is already there. Whole or not at all: a failing {@code writer} leaves nothing behind.
     *
     * @return the files now in place
     */
    List<Path> importData(String name, String origin, DataWriter writer);
}
