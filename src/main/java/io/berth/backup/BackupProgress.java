package io.berth.backup;

/**
 * How far a backup or restore of one workload is: {@code phase} is {@code flattening} (the
 * runtime makes its standalone copy: no byte count), {@code copying} (bytes of {@code total}),
 * {@code verifying} or {@code extracting} (restore), or {@code done}.
 */
public record BackupProgress(String workload, String phase, long bytes, long total) {

    public int percent() {
        return total <= 0 ? 0 : (int) Math.min(100, bytes * 100 / total);
    }
}
