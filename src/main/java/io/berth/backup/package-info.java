/**
 * Backups (CONTRACT §6.2): {@code agent backup} writes one self-contained archive per workload
 * ({@link io.berth.backup.BackupArchive}, described by {@link io.berth.backup.BackupInfo}), and
 * {@code agent restore --from} verifies one and puts its data back ({@link io.berth.backup.BackupOps}),
 * on the host that made it or another.
 */
package io.berth.backup;
