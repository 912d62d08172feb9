/**
 * The daemon's HTTP API under {@code /api/v1}: the JAX-RS resources (manifests, workloads, git, stats),
 * bearer-token authentication ({@link io.berth.api.ApiAuth}, {@link io.berth.api.Token}), the one error
 * shape ({@link io.berth.api.ApiErrors}), and {@link io.berth.api.Views}, which turns plans, outcomes,
 * observed workloads and status into the typed records of {@link io.berth.api.dto} — the answers the
 * daemon serialises and the CLI reads and prints, in local mode as well.
 *
 * <p>Dependencies: may import {@code manifest}, {@code plan}, {@code reconcile}, {@code source},
 * {@code runtime} and {@code stats}; reaches the daemon's collaborators only through
 * {@code daemon.Daemon}'s accessors; never imports {@code cli}. {@code api.dto} itself depends on
 * nothing of Berth but {@code source.git.Revision} (commit abbreviation), so the CLI can use it
 * without the daemon.
 */
package io.berth.api;
