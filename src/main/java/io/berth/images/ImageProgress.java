package io.berth.images;

/**
 * One step of getting an image, for progress bars, events and log lines: a VM's base image
 * download ({@code url} is its URL) or a container image pull ({@code url} is the image
 * reference; {@code bytes}/{@code total} sum the layers the engine reported). {@code total} is -1
 * when the server did not say; {@code message} is the error of a failed one, else null.
 * Watchers receive these on the working thread and must not block.
 */
public record ImageProgress(String workload, String url, Phase phase, long bytes, long total, String message, Source source) {

    public enum Phase { started, progress, done, failed }

    /** A base image downloaded by Berth, or a container image pulled by the engine. */
    public enum Source { download, pull }

    /** A base image download's step. */
    public ImageProgress(String workload, String url, Phase phase, long bytes, long total, String message) {
        this(workload, url, phase, bytes, total, message, Source.download);
    }

    public boolean pull() {
        return source == Source.pull;
    }

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
