package io.berth.runtime;

import io.berth.manifest.Kind;

import java.time.Duration;
import java.util.List;

/**
 * {@code agent restore NAME --deleted}, the one implementation the CLI's local mode and the
 * daemon's {@code POST /api/v1/restore} share: a deleted (or replaced) VM's newest kept disk — or
 * the set named — goes back in place as the VM's disk, so that the next create of {@code NAME}
 * (its manifest applied again) starts with its data. Refused while any workload of that name
 * exists as a VM: a restore never replaces a disk, and never creates anything by itself.
 */
public final class DeletedDisks {

    /** The default of {@code berth.retention.deleted}. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(72);

    private DeletedDisks() {
    }

    /**
     * {@code BERTH_RETENTION_DELETED} for the CLI's local mode (the daemon reads
     * {@code berth.retention.deleted}): {@code 72h}, {@code 30m}, {@code 2d}, {@code 90s} or ISO-8601
     * ({@code PT72H}); the default when unset.
     *
     * @throws IllegalArgumentException naming the variable when the value is not a duration
     */
    public static Duration retentionFromEnvironment() {
        return parseRetention(System.getenv("BERTH_RETENTION_DELETED"));
    }

    static Duration parseRetention(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_RETENTION;
        }
        String v = value.strip();
        try {
            if (v.matches("[0-9]+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("BERTH_RETENTION_DELETED: " + v + " is not a duration (valid: 72h, 30m,"
                    + " 2d, 90s or PT72H)");
        }
    }

    /**
     * Restores and returns the answer both modes print: {@code name}, {@code from} (the kept
     * directory), {@code keptAt}, {@code files} (now in place), {@code next} (what to do now).
     *
     * @throws RuntimeFailure when there is nothing to restore or a workload of that name exists
     * @throws RuntimeUnavailableException when the VM runtime cannot be reached to check that
     */
    public static Restored restore(RuntimeSet runtimes, String name, String stamp, Duration retention) {
        KeptData kept = runtimes.keptData(Kind.VirtualMachine).orElseThrow(() ->
                new RuntimeUnavailableException("this agent has no VirtualMachine runtime (libvirt is not installed),"
                        + " so it keeps no deleted disks", null));
        // The runtime refuses while any domain of the name exists (ours with its disk, or anyone's).
        KeptData.Kept k = kept.restoreDeleted(name, stamp);
        List<String> others = kept.kept(name).stream()
                .map(o -> o.stamp() + " (until " + o.expiresAt(retention) + ")").toList();
        return new Restored(name, k.directory().toString(), k.keptAt().toString(),
                k.files().stream().map(Object::toString).toList(),
                "apply " + name + "'s manifest again: its VM is created with this disk"
                        + " (its spec.disk.image must be the one the disk was cloned from)", others);
    }

    /**
     * What a restore did, as both modes print it (and {@code POST /api/v1/restore} answers).
     *
     * @param from      the kept directory the files came from
     * @param files     the files now in place
     * @param next      what to do now
     * @param stillKept the other kept sets of this name, with when each expires
     */
    public record Restored(String name, String from, String keptAt, List<String> files, String next,
                           List<String> stillKept) {
    }
}
