package io.berth.daemon;

import io.berth.manifest.Kind;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.plan.Plan;
import io.berth.plan.Planner;
import io.berth.reconcile.Executor;
import io.berth.reconcile.Outcome;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.runtime.WorkloadState;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reconciles one workload by name, level-triggered: whatever enqueued the name, it re-reads the
 * desired spec and what the runtimes report, asks the same pure planner {@code agent plan} uses,
 * and carries out that one decision. Returns the work queue's verdict (done, retry with backoff).
 * Thread-safe: the work queue never runs one name twice at a time.
 */
final class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final Map<Kind, Runtime> runtimes;
    private final Supplier<Map<String, Workload>> desired;
    private final String source;
    private final boolean detectOnly;
    private final StatusBook book;
    private final Executor executor;

    Reconciler(Map<Kind, Runtime> runtimes, Supplier<Map<String, Workload>> desired, String source, String agent,
               boolean detectOnly, Duration grace, StatusBook book) {
        this.runtimes = runtimes;
        this.desired = desired;
        this.source = source;
        this.detectOnly = detectOnly;
        this.book = book;
        this.executor = new Executor(runtimes, w -> new Ownership(agent, source), 1, grace);
    }

    WorkQueue.Result reconcile(String name) {
        Workload want = desired.get().get(name);
        Optional<Observed> have;
        try {
            have = observe(name, want);
        } catch (RuntimeUnavailableException e) {
            book.put(status(name, StatusBook.Phase.Pending, "observe", e.getMessage(), List.of()));
            return new WorkQueue.Retry(e.getMessage());
        }
        Action action;
        if (want == null) {
            if (have.isEmpty() || !source.equals(have.get().source())) {
                book.forget(name); // not ours to remove: another source declared it
                return new WorkQueue.Done();
            }
            action = new Action.Delete(have.get(), "no longer declared in " + source);
        } else {
            action = Planner.decide(want, have.orElse(null));
        }
        if (!action.hasEffect()) {
            book.put(status(name, phase(have.orElse(null)), "unchanged", null, notes(have)));
            return new WorkQueue.Done();
        }
        if (detectOnly) {
            book.put(status(name, StatusBook.Phase.Drifted, action.verb(), action.reason(), notes(have)));
            book.event(name, "DriftDetected", action.verb() + ": " + action.reason());
            LOG.infof("%s: drift detected, not repaired (detect-only): would %s (%s)", name, action.verb(), action.reason());
            return new WorkQueue.Done();
        }
        book.put(status(name, action instanceof Action.Delete ? StatusBook.Phase.Deleting : StatusBook.Phase.Creating,
                action.verb(), null, notes(have)));
        Outcome outcome = executor.execute(new Plan(List.of(action)), o -> { }).outcomes().getFirst();
        if (!outcome.ok()) {
            book.put(status(name, StatusBook.Phase.Failed, action.verb(), outcome.error(), notes(have)));
            book.event(name, "Failed", outcome.error());
            LOG.warnf("%s: %s failed, will retry: %s", name, action.verb(), outcome.error());
            return new WorkQueue.Retry(outcome.error());
        }
        book.event(name, eventType(action), action.verb() + ": " + action.reason());
        LOG.infof("%s: %s (%s) in %d ms", name, outcome.done(), action.reason(), outcome.took().toMillis());
        if (action instanceof Action.Delete) {
            book.forget(name);
        } else {
            book.put(status(name, StatusBook.Phase.Running, action.verb(), null, outcome.notes()));
        }
        return new WorkQueue.Done();
    }

    /** The object with this name in whichever runtime has it; the desired kind's runtime first. */
    private Optional<Observed> observe(String name, Workload want) {
        if (want != null && runtimes.containsKey(want.kind())) {
            Optional<Observed> o = runtimes.get(want.kind()).inspect(name);
            if (o.isPresent()) {
                return o;
            }
        }
        for (Runtime r : runtimes.values()) {
            if (want == null || r.kind() != want.kind()) {
                Optional<Observed> o = r.inspect(name);
                if (o.isPresent()) {
                    return o;
                }
            }
        }
        return Optional.empty();
    }

    private static String eventType(Action a) {
        return switch (a) {
            case Action.Create c -> "Created";
            case Action.UpdateInPlace u -> "Updated";
            case Action.Recreate r -> "Recreated";
            case Action.Start s -> "Started";
            case Action.Delete d -> "Deleted";
            case Action.Unchanged u -> "Unchanged";
        };
    }

    private static StatusBook.Phase phase(Observed o) {
        if (o == null) {
            return StatusBook.Phase.Pending;
        }
        return o.state() == WorkloadState.Running ? StatusBook.Phase.Running : StatusBook.Phase.Stopped;
    }

    private static List<String> notes(Optional<Observed> o) {
        return o.map(Observed::notes).orElse(List.of());
    }

    private static StatusBook.Status status(String name, StatusBook.Phase phase, String action, String error,
                                            List<String> notes) {
        return new StatusBook.Status(name, phase, action, error, Instant.now(), notes);
    }
}
