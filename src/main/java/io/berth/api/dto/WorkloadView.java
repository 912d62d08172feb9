package io.berth.api.dto;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One workload: what its runtime reports, and through the daemon what is desired and what the daemon
 * did last. Three parts, each present or not as a whole, and the JSON keys in this order:
 * <ol>
 * <li>always {@code name, kind, state, exitCode, oomKilled}; then, when the runtime reports it
 * ({@code id} not null), {@code id, image, source, agent, specHash}; then {@code limits, notes};</li>
 * <li>the daemon's view ({@code desired} not null): {@code desired}, then {@code source} if the
 * workload does not exist yet (state {@code Absent}), then {@code phase, lastAction, lastError,
 * restarts, nextAttempt, reconciledAt}, and {@code unavailableRuntimes} while a runtime does not
 * answer (not null);</li>
 * <li>one workload's detail ({@code events} not null): {@code spec} (the canonical desired spec, or
 * null when no source declares it) and {@code events}.</li>
 * </ol>
 * {@code agent get --local} has the first part only. Jackson writes it with {@link Writer}, which
 * keeps that order; reading is by name. Immutable.
 */
@JsonSerialize(using = WorkloadView.Writer.class)
public record WorkloadView(String name, String kind, String state, Integer exitCode, boolean oomKilled,
                           String id, String image, String source, String agent, String specHash,
                           LimitsView limits, List<String> notes,
                           Boolean desired, String phase, String lastAction, String lastError, Integer restarts,
                           Instant nextAttempt, Instant reconciledAt, List<String> unavailableRuntimes,
                           Map<String, Object> spec, List<EventView> events) {

    /** What the runtime reports, nothing more ({@code agent get --local}). */
    public static WorkloadView observed(String name, String kind, String state, Integer exitCode, boolean oomKilled,
                                        String id, String image, String source, String agent, String specHash,
                                        LimitsView limits, List<String> notes) {
        return new WorkloadView(name, kind, state, exitCode, oomKilled, id, image, source, agent, specHash, limits, notes,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** With the daemon's view of it; {@code source} replaces the runtime's when the workload is desired. */
    public WorkloadView withStatus(boolean isDesired, String desiredSource, String phase, String lastAction, String lastError,
                                   int restarts, Instant nextAttempt, Instant reconciledAt, List<String> unavailable) {
        return new WorkloadView(name, kind, state, exitCode, oomKilled, id, image, isDesired ? desiredSource : source, agent,
                specHash, limits, notes, isDesired, phase, lastAction, lastError, restarts, nextAttempt, reconciledAt,
                unavailable, spec, events);
    }

    /** With one workload's detail: its desired spec (null when no source declares it) and its recent events. */
    public WorkloadView withDetail(Map<String, Object> desiredSpec, List<EventView> recent) {
        return new WorkloadView(name, kind, state, exitCode, oomKilled, id, image, source, agent, specHash, limits, notes,
                desired, phase, lastAction, lastError, restarts, nextAttempt, reconciledAt, unavailableRuntimes,
                desiredSpec, List.copyOf(recent));
    }

    /** Writes the three parts in the documented key order. */
    public static final class Writer extends StdSerializer<WorkloadView> {

        public Writer() {
            super(WorkloadView.class);
        }

        @Override
        public void serialize(WorkloadView w, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", w.name);
            g.writeStringField("kind", w.kind);
            g.writeStringField("state", w.state);
            p.defaultSerializeField("exitCode", w.exitCode, g);
            g.writeBooleanField("oomKilled", w.oomKilled);
            boolean exists = w.id != null;
            if (exists) {
                g.writeStringField("id", w.id);
                g.writeStringField("image", w.image);
                g.writeStringField("source", w.source);
                g.writeStringField("agent", w.agent);
                g.writeStringField("specHash", w.specHash);
            }
            p.defaultSerializeField("limits", w.limits, g);
            p.defaultSerializeField("notes", w.notes, g);
            if (w.desired != null) {
                g.writeBooleanField("desired", w.desired);
                if (!exists && w.desired) {
                    g.writeStringField("source", w.source);
                }
                g.writeStringField("phase", w.phase);
                g.writeStringField("lastAction", w.lastAction);
                g.writeStringField("lastError", w.lastError);
                p.defaultSerializeField("restarts", w.restarts, g);
                p.defaultSerializeField("nextAttempt", w.nextAttempt, g);
                p.defaultSerializeField("reconciledAt", w.reconciledAt, g);
                if (w.unavailableRuntimes != null) {
                    p.defaultSerializeField("unavailableRuntimes", w.unavailableRuntimes, g);
                }
            }
            if (w.events != null) {
                p.defaultSerializeField("spec", w.spec, g);
                p.defaultSerializeField("events", w.events, g);
            }
            g.writeEndObject();
        }
    }
}
