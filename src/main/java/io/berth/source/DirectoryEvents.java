package io.berth.source;

import io.berth.manifest.ManifestError;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The daemon's listener on the watched directory: a change only enqueues the changed names (as
 * changes of desired state, which forget a failing workload's back-off); invalid manifests are an
 * {@code InvalidManifest} event each and a WARN listing them; a directory that cannot be read as
 * the one last loaded is a {@code SourceUnavailable} warning event and a WARN naming the directory,
 * the cause and what keeps running, and its return a {@code SourceAvailable} event. Nothing here
 * acts on the host. Called by the directory's thread, one call at a time.
 */
public final class DirectoryEvents implements ManifestDirectory.Listener {

    private static final Logger LOG = Logger.getLogger(ManifestDirectory.class);

    private final String source;
    private final SourceEvents events;
    private final Consumer<String> enqueueChanged;

    public DirectoryEvents(String source, SourceEvents events, Consumer<String> enqueueChanged) {
        this.source = source;
        this.events = events;
        this.enqueueChanged = enqueueChanged;
    }

    @Override
    public void changed(ManifestDirectory.Snapshot snapshot, Set<String> names) {
        names.forEach(enqueueChanged);
    }

    @Override
    public void invalid(List<ManifestError> errors, ManifestDirectory.Snapshot lastGood) {
        errors.forEach(e -> events.event(null, "InvalidManifest", e.toString()));
        LOG.warnf("manifests in %s are invalid; the last good set stays in force:%n%s", source,
                String.join("\n", errors.stream().map(Object::toString).toList()));
    }

    @Override
    public void unavailable(Path dir, String problem, ManifestDirectory.Snapshot lastGood) {
        events.event(null, "SourceUnavailable", problem);
        LOG.warnf("%s", problem);
    }

    @Override
    public void available(Path dir, ManifestDirectory.Snapshot current) {
        String message = "the manifest directory " + source + " can be read again; its manifests are applied as usual";
        events.event(null, "SourceAvailable", message);
        LOG.infof("%s", message);
    }
}
