package io.berth.cli;

import io.berth.images.ImageProgress;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Base image downloads and container image pulls of {@code agent apply --local} on stderr: on a terminal one bar per
 * download, redrawn in place; otherwise (a pipe, a log file) a plain line at each tenth, so logs
 * stay readable. Thread-safe (downloads of several VMs run at once).
 */
final class DownloadProgress implements Consumer<ImageProgress> {

    private static final int WIDTH = 30;
    private static final long UNKNOWN_STEP = 64L << 20;

    private final PrintWriter err;
    private final boolean terminal;
    private final Map<String, Long> lastStep = new ConcurrentHashMap<>();

    DownloadProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether this process's stderr is a terminal (Linux: fd 2 is a tty or pts device). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Override
    public synchronized void accept(ImageProgress p) {
        String key = p.workload() + " " + p.url();
        switch (p.phase()) {
            case started -> {
                lastStep.put(key, step(p));
                line(p.pull() ? p.workload() + ": pulling image " + p.url()
                        : p.workload() + ": downloading " + p.url() + " (" + p.size() + ")"
                        + (p.bytes() > 0 ? ", resuming at " + p.received() : ""));
            }
            case progress -> {
                if (terminal) {
                    err.print("\r" + p.workload() + ": " + bar(p) + " " + p.amount() + "\u001b[K");
                    err.flush();
                } else if (!Long.valueOf(step(p)).equals(lastStep.put(key, step(p)))) {
                    line(p.workload() + ": " + p.amount());
                }
            }
            case done -> {
                lastStep.remove(key);
                line(p.pull() ? p.workload() + ": pulled image " + p.url() + " (" + p.received() + " downloaded)"
                        : p.workload() + ": downloaded " + p.url() + " (" + p.received() + "), sha256 verified");
            }
            case failed -> {
                lastStep.remove(key);
                if (terminal) {
                    line(""); // ends the bar; the error itself is the apply's
                }
            }
        }
    }

    private long step(ImageProgress p) {
        return p.total() > 0 ? p.percent() / 10 : p.bytes() / UNKNOWN_STEP;
    }

    private static String bar(ImageProgress p) {
        if (p.total() <= 0) {
            return "[" + "?".repeat(WIDTH) + "]";
        }
        int full = p.percent() * WIDTH / 100;
        return "[" + "#".repeat(full) + "-".repeat(WIDTH - full) + "]";
    }

    private void line(String text) {
        err.print(terminal ? "\r" + text + "\u001b[K\n" : text + "\n");
        err.flush();
    }
}
