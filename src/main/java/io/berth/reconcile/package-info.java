/**
 * The reconcile loop: the {@link io.berth.reconcile.WorkQueue} of workload names; the
 * reconciler's rules as decisions ({@link io.berth.reconcile.Decisions} returning a
 * {@code Decision}) and the one place that carries them out ({@code DecisionRunner}: executor,
 * status, events, metrics, reports); admission ({@link io.berth.reconcile.Admission}); the
 * restart back-off ({@link io.berth.reconcile.Restarts}); the {@link io.berth.reconcile.StatusBook};
 * the {@link io.berth.reconcile.Executor} that acts on the runtimes; the
 * {@link io.berth.reconcile.ApplyService} behind API apply and delete, which hears of reconciles
 * through {@link io.berth.reconcile.ReconcileReports} and asks for deletes through
 * {@link io.berth.reconcile.DeleteRequests}; and {@link io.berth.reconcile.ReconcileRuns}.
 *
 * <p>May import {@code io.berth.manifest}, {@code plan}, {@code runtime}, {@code source} and
 * {@code util}; never {@code api}, {@code cli} or {@code daemon}, which sit on top of it. The one
 * exception today is {@code io.berth.api.Views}, which still builds the outcome trees of reports
 * and apply answers; it goes once outcomes are typed records of their own.
 */
package io.berth.reconcile;
