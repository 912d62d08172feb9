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
 * <p>Dependencies: may import {@code api.dto} and {@code api.Views}, {@code manifest}, {@code plan},
 * {@code reconcile.Executor} (with its {@code Outcome}/{@code ApplyResult}), {@code runtime}, the
 * sample records of {@code stats} ({@code StatsSnapshot}, {@code WorkloadSample}, {@code HostSample},
 * which are {@code /api/v1/stats}'s answers) and {@code util}; never {@code daemon}, {@code source}
 * internals or Quarkus.
 */
package io.berth.cli;
