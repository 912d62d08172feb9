package io.berth.reconcile;

import io.berth.api.dto.ActionView;
import io.berth.api.dto.FieldChangeView;
import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.PlanView;
import io.berth.plan.Action;
import io.berth.plan.FieldChange;
import io.berth.plan.Plan;

import java.util.List;

/**
 * Plans and outcomes as the {@link io.berth.api.dto} records the API answers with and the CLI
 * prints, whether it computed them itself ({@code --local}) or got them from {@code agent serve}:
 * both modes print the same. Here rather than in {@code api} because the reconcile layer reports
 * its outcomes in this shape. Pure functions, no state.
 */
public final class Answers {

    private Answers() {
    }

    /** The plan, without {@code elsewhere} (see {@link PlanView#withElsewhere}). */
    public static PlanView plan(Plan plan) {
        return new PlanView(plan.hasChanges(), plan.summary(), plan.actions().stream().map(Answers::action).toList(), null);
    }

    public static ActionView action(Action a) {
        return new ActionView(a.name(), a.kind().name(), a.verb(), a.hasEffect(), a.description(), a.reason(),
                a.changesList().stream().map(Answers::change).toList());
    }

    private static FieldChangeView change(FieldChange c) {
        return new FieldChangeView(c.field(), c.from(), c.to(), c.inPlace(), c.why());
    }

    public static OutcomeView outcome(Outcome o) {
        return outcome(o.action().name(), o.action().verb(), o.done(), o.error(), o.took().toMillis() / 1000.0, o.notes());
    }

    /** An outcome without an action the planner made (nothing to do, or still in progress). */
    public static OutcomeView outcome(String name, String action, String done, String error, double seconds,
                                      List<String> notes) {
        return new OutcomeView(name, action, done, error == null, error, seconds, notes);
    }
}
