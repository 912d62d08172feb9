/**
 * The daemon's HTTP API under {@code /api/v1}: the JAX-RS resources (manifests, workloads, git, stats),
 * bearer-token authentication ({@link io.berth.api.ApiAuth}, {@link io.berth.api.Token}), the one error
 * shape ({@link io.berth.api.ApiErrors}), and {@link io.berth.api.Views}, which turns plans, outcomes,
 * observed workloads and status into the typed records of {@link io.berth.api.dto} — the answers the
 * daemon serialises and the CLI reads and prints, in local mode as well.
 *
 * <p>The resources get their collaborators injected (the daemon's {@code Wiring} makes them); they
 * never import {@code cli} or {@code daemon}.
 *
 * <p>May import: api.dto, backup, manifest, plan, reconcile, runtime, source, stats, util.
 */
package io.berth.api;
