package io.berth.reconcile;

import io.berth.source.DesiredState;
import io.berth.source.SourceEvents;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says loudly when a source is being pruned of everything: when a workload is deleted because its
 * source no longer declares it and that source now declares nothing at all (an emptied watched
 * directory — also one found empty at start, a mount point whose filesystem did not come up —, an
 * API source applied empty with prune, a commit that removed every manifest), one WARN and one
 * {@code PrunedAll} event per source, until the source declares something again. The deletes go
 * on: an existing empty source is a valid desired state; this is the trace an operator needs when
 * it was not meant. Thread-safe.
 */
final class PrunedAll {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final DesiredState desired;
    private final SourceEvents events;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    PrunedAll(DesiredState desired, SourceEvents events) {
        this.desired = desired;
        this.events = events;
    }

    /** A workload of {@code source} is reconciled while declared: a later prune of everything is news again. */
    void declared(String source) {
        warned.remove(source);
    }

    /** {@code name} of {@code source} is about to be deleted because its source no longer declares it. */
    void pruning(String name, String source) {
        if (!desired.declaresNothing(source)) {
            warned.remove(source);
            return;
        }
        if (warned.add(source)) {
            String message = "source " + source + " declares no workload any more: every workload it ran here is"
                    + " pruned (" + name + " first). If that was not meant, put its manifests back (a watched"
                    + " directory that is missing or unmounted prunes nothing, but an existing empty one does)";
            events.event(null, "PrunedAll", message);
            LOG.warnf("%s", message);
        }
    }
}
