package io.berth.faults;

import io.berth.testing.Virsh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The faults themselves and the witnesses that time them. */
final class Faults {

    private Faults() {
    }

    /**
     * SIGKILL to the daemon's process (the launcher execs the JVM) and everything it started (a
     * qemu-img, say), as an OOM kill or a power cut would; reaped. Returns the exit code (137).
     */
    static int kill9(Process p) throws InterruptedException {
        // The children from /proc/PID/task/*/children (cheap, unlike a walk of all of /proc), so the
        // JVM dies within a millisecond or two of the decision: it must not get to its next step.
        List<Long> children = new java.util.ArrayList<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "task"))) {
            for (java.nio.file.Path t : tasks.toList()) {
                for (String c : java.nio.file.Files.readString(t.resolve("children")).trim().split("\\s+")) {
                    if (!c.isEmpty()) {
                        children.add(Long.parseLong(c));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited meanwhile
        }
        p.destroyForcibly();
        for (long c : children) {
            ProcessHandle.of(c).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("killed daemon exited").isTrue();
        return p.exitValue();
    }

    /**
     * libvirt's lifecycle events as {@code virsh event --loop} prints them, on a thread of its own:
     * the independent clock of a VM create (Defined, then Started) that a kill is timed against.
     * Line-buffered through stdbuf: virsh writes to a pipe through stdio, which would otherwise
     * hold the lines back until 4 KiB have gathered.
     */
    static final class DomainEvents implements AutoCloseable {
        private final Process virsh;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        DomainEvents() throws IOException {
            virsh = new ProcessBuilder("stdbuf", "-oL", "virsh", "-c", Virsh.URI, "event", "--loop", "--event", "lifecycle")
                    .redirectErrorStream(true).start();
            reader = Thread.ofPlatform().daemon().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(virsh.getInputStream()))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        /** Whether an event of this kind ("Defined", "Started", ...) was seen for the domain. */
        boolean seen(String domain, String kind) {
            return lines.stream().anyMatch(l -> l.contains("'" + domain + "'") && l.contains(": " + kind));
        }

        List<String> of(String domain) {
            return lines.stream().filter(l -> l.contains("'" + domain + "'")).toList();
        }

        @Override
        public void close() throws InterruptedException {
            virsh.destroyForcibly();
            virsh.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }
    }
}
