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
 * <p>Plans and outcomes are reported as {@code api.dto} records (a leaf package; {@link
 * io.berth.reconcile.Answers} builds them). {@code runtime.libvirt} gives admission a VM's overhead
 * above guest memory. Never imports {@code api}, {@code cli} or {@code daemon}, which sit on top.
 *
 * <p>May import: api.dto, manifest, plan, runtime, runtime.libvirt, source, util.
 */
package io.berth.reconcile;
