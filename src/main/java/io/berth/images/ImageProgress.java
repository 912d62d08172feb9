package io.berth.images;

/**
 * One step of a base image download, for progress bars, events and log lines. {@code total} is -1
 * when the server did not say; {@code message} is the error of a failed download, else null.
 * Watchers receive these on the downloading thread and must not block.
 */
public record ImageProgress(String workload, String url, Phase phase, long bytes, long total, String message) {

    public enum Phase { started, progress, done, failed }

    /** 0 to 100, or -1 when the size is unknown. */
    public int percent() {
        return total > 0 ? (int) Math.min(100, bytes * 100 / total) : -1;
    }

    /** "12.5 MiB of 100.0 MiB (12%)", or "12.5 MiB" when the size is unknown. */
    public String amount() {
        return total > 0 ? mib(bytes) + " of " + mib(total) + " (" + percent() + "%)" : mib(bytes);
    }

    /** "100.0 MiB", or "size unknown". */
    public String size() {
        return total > 0 ? mib(total) : "size unknown";
    }

    /** What arrived so far: "12.5 MiB". */
    public String received() {
        return mib(bytes);
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
