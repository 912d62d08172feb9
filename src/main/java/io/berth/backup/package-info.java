/**
 * Backups (CONTRACT §6.2): {@code agent backup} writes one self-contained archive per workload
 * ({@link io.berth.backup.BackupArchive}, described by {@link io.berth.backup.BackupInfo}), and
 * {@code agent restore --from} verifies one and puts its data back ({@link io.berth.backup.BackupOps}),
 * on the host that made it or another. Shared by the CLI's local mode and the daemon's API, so it
 * sits below both.
 *
 * <p>May import: api.dto, manifest, runtime, util.
 */
package io.berth.backup;
