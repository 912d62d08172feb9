package io.berth.source;

import io.berth.manifest.Workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A file rewritten in place (truncated, then written) can be read empty in between, and an empty
 * file is a valid manifest with no workloads: taken at face value, the daemon would delete and
 * recreate them. So workloads whose file is now empty count as removed only once it has stayed
 * empty for {@link #SETTLE_EMPTY} (a later rescan or event); a deleted file or a file with other
 * content is taken at once. Used by the directory's watcher thread only; not thread-safe.
 */
final class EmptyFiles {

    /** How long a file must stay empty before the workloads it held count as removed. */
    static final Duration SETTLE_EMPTY = Duration.ofSeconds(1);

    /**
     * Files that held workloads and were found empty, since when ({@link System#nanoTime}, so a
     * wall-clock jump neither settles a rewrite early nor holds an emptied file back for an hour).
     */
    private final Map<Path, Long> emptySince = new HashMap<>();

    /**
     * True while a file that held some of {@code current}'s workloads, missing from {@code present},
     * is empty and has not stayed so for {@link #SETTLE_EMPTY}: the load is not to be taken yet.
     */
    boolean inFlux(Map<String, Workload> current, Set<String> present, long nowNanos) {
        Set<Path> emptied = new HashSet<>();
        for (Map.Entry<String, Workload> e : current.entrySet()) {
            Path file = e.getValue().origin().file();
            try {
                if (!present.contains(e.getKey()) && Files.isRegularFile(file) && Files.size(file) == 0) {
                    emptied.add(file);
                }
            } catch (IOException ex) {
                // gone meanwhile: a deletion, taken at once
            }
        }
        emptySince.keySet().retainAll(emptied);
        boolean settled = true;
        for (Path f : emptied) {
            Long since = emptySince.putIfAbsent(f, nowNanos);
            if (since == null || nowNanos - since < SETTLE_EMPTY.toNanos()) {
                settled = false;
            }
        }
        return !settled;
    }

    /** Nothing changed: no file is in the middle of a rewrite. */
    void clear() {
        emptySince.clear();
    }
}
