package io.berth.source;

import io.berth.manifest.HostPolicy;
import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestParser;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A persisted workload (an API or git source's, recorded under {@code STATE/sources/}) checked
 * again against the host policy of <em>this</em> start: it was accepted when it was applied, but
 * {@code berth.allow-privileged} or {@code berth.image-dirs} may have been tightened since. The
 * recorded spec is parsed as a manifest under the current policy, so the rule is exactly the one an
 * apply would meet now. An offender is reported (a {@code PolicyRefused} event and a WARN naming
 * the source, the workload and the reason) and is then neither created nor changed; what already
 * runs of it is left alone, never deleted for it. Stateless and thread-safe.
 */
final class PolicyAtLoad {

    private static final Logger LOG = Logger.getLogger(DesiredState.class);

    private final ManifestParser parser;
    private final SourceEvents events;

    PolicyAtLoad(HostPolicy policy, SourceEvents events) {
        this.parser = new ManifestParser(policy);
        this.events = events;
    }

    /**
     * Null when the recorded workload passes the current policy; otherwise the reason, reported.
     *
     * @param json the workload's recorded canonical JSON
     */
    String check(String source, String name, String json) {
        List<ManifestError> errors = parser.parse(Path.of(source), json).errors();
        if (errors.isEmpty()) {
            return null;
        }
        String why = errors.stream()
                .map(e -> e.field().isEmpty() ? e.message() : e.field() + ": " + e.message())
                .collect(Collectors.joining("; "));
        String redo = source.startsWith(DesiredState.GIT_PREFIX) ? "fix it with a commit" : "apply the source again";
        String reason = "refused by this host's policy, checked at start: " + why + " (" + name
                + " is not created or changed; what runs of it is left running; allow it in the host policy, or "
                + redo + ")";
        events.event(name, "PolicyRefused", "source " + source + ": " + reason);
        LOG.warnf("applied source %s: workload %s %s", source, name, reason);
        return reason;
    }
}
