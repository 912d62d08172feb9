/**
 * The {@code agent} command line (picocli, started by {@link io.berth.cli.Main} without booting
 * Quarkus). Each client command parses its options (shared ones in the mixins {@code Connection} and
 * {@code ManifestInput}), picks one {@code Operations} implementation once — {@code RemoteOperations}
 * (the daemon over HTTP through {@code Client}) or, with {@code --local}, {@code LocalOperations}
 * (Docker and libvirt directly through {@code Session}, the planner and the executor) — calls it, and
 * prints the typed result; both return the same {@link io.berth.api.dto} records, so both modes print
 * the same. Errors are {@link io.berth.cli.UserError} (exit 1) or
 * {@code RuntimeUnavailableException} (exit 3), one line each.
 *
 * <p>The commands never boot Quarkus and never reach the daemon's internals: the daemon is an HTTP
 * peer. From {@code reconcile} they use the executor (local apply and delete); from {@code stats}
 * the sample records, which are {@code /api/v1/stats}'s answers.
 *
 * <p>May import: api, api.dto, backup, convert, images, manifest, plan, reconcile, runtime, stats, util.
 */
package io.berth.cli;
