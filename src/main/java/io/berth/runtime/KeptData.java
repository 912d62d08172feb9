package io.berth.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An optional runtime feature: data a runtime kept aside instead of deleting it (a deleted or
 * replaced VM's disk and console log), how to bring it back, and the retention sweep that removes
 * what has expired. Nothing is ever deleted here except by {@link #sweep}, and only what was kept
 * longer than the retention. Implementations are thread-safe.
 */
public interface KeptData {

    /**
     * One set of kept files.
     *
     * @param name      the workload's Berth name
     * @param keptAt    when it was kept aside (the time its directory is named after)
     * @param directory where the files are
     * @param files     the files in it (the disk first)
     */
    record Kept(String name, Instant keptAt, Path directory, List<Path> files) {

        /** The set's name in its directory: the UTC time it was kept ({@code 20261201T221530Z}). */
        public String stamp() {
            return directory.getFileName().toString();
        }

        public Instant expiresAt(Duration retention) {
            return keptAt.plus(retention);
        }
    }

    /** What is kept for {@code name}, newest first; every name's when {@code name} is null. */
    List<Kept> kept(String name);

    /**
     * Puts a kept disk of {@code name} back as the workload's disk — the set {@code stamp}, or the
     * newest when null — so the next create of {@code name} (its manifest applied again) starts
     * with it. Refused with a {@link RuntimeFailure} when nothing (or no such set) is kept, or when a
     * workload of that name exists or a disk is already in place: a restore never replaces a disk.
     *
     * @return what was restored (the directory it came from, the files now in place)
     */
    Kept restoreDeleted(String name, String stamp);

    /**
     * Removes every kept set older than {@code retention} at {@code now}. The only deletion of kept
     * data there is.
     *
     * @return what it removed
     */
    List<Kept> sweep(Instant now, Duration retention);
}
