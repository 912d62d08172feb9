package io.berth.runtime.docker;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;

import java.util.function.Supplier;

/**
 * Translates docker-java's exceptions into Berth's two failure kinds. An answer from the engine
 * (any HTTP status) is the workload's failure; no answer at all is the engine being unavailable.
 * Thread-safe (immutable).
 */
final class DockerErrors {

    private final String host;
    /** Told when the engine went away or refused the API version: the version is negotiated again. */
    private final Runnable engineLost;

    DockerErrors(String host, Runnable engineLost) {
        this.host = host;
        this.engineLost = engineLost;
    }

    <T> T call(String workload, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (DockerException e) {
            if (versionRefused(e)) {
                engineLost.run();
            }
            throw new RuntimeFailure(workload, workload + ": " + what + ": " + engineMessage(e), e);
        } catch (RuntimeFailure | RuntimeUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    void run(String workload, String what, Runnable call) {
        call(workload, what, () -> {
            call.run();
            return null;
        });
    }

    static boolean isNotFound(Throwable e) {
        return e instanceof NotFoundException || e.getCause() instanceof NotFoundException;
    }

    /** Docker's 409 for a taken name; Podman 4.3 answers 500 "that name is already in use" instead. */
    static boolean isConflict(Throwable e) {
        if (e instanceof ConflictException || e.getCause() instanceof ConflictException) {
            return true;
        }
        Throwable d = e instanceof DockerException ? e : e.getCause();
        return d instanceof DockerException de && de.getHttpStatus() == 500 && de.getMessage() != null
                && de.getMessage().contains("that name is already in use");
    }

    /** Docker's 400 for a version outside its range: "client version 1.41 is too old. Minimum supported ...". */
    static boolean versionRefused(DockerException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return e.getHttpStatus() == 400 && m.contains("client version") && (m.contains("too old") || m.contains("too new"));
    }

    /**
     * A start refused because containerd still has a task (or a task's bundle) with this
     * container's id: "task ID: already exists", "failed to create task for container: ...
     * file exists" (moby#50040). Only ever asked of a start, where no name can conflict.
     */
    static boolean isLeftoverTask(Throwable e) {
        if (!(e instanceof DockerException d)) { // 409 or 500, depending on how the engine maps containerd's code
            return false;
        }
        String m = engineMessage(d);
        return m.matches("(?s).*\\btask [0-9a-f]{12,}: already exists.*")
                || m.matches("(?s).*failed to create task for container.*(already exists|file exists).*");
    }

    RuntimeUnavailableException unavailable(Throwable e) {
        engineLost.run();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new RuntimeUnavailableException("cannot reach the Docker Engine at " + host
                + ": " + why + (Podman.socket(host)
                ? " (is `podman system service` running? deploy/host-setup.sh starts it)"
                : " (is dockerd running? deploy/host-setup.sh starts it)"), e);
    }

    /** docker-java puts the engine's JSON body in the message; keep only the engine's sentence. */
    static String engineMessage(DockerException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int i = m.indexOf("\"message\":\""); // Podman puts "cause" first
        if (i >= 0) {
            int start = i + "\"message\":\"".length();
            int end = m.indexOf("\"", start);
            while (end > 0 && m.charAt(end - 1) == '\\') {
                end = m.indexOf("\"", end + 1);
            }
            m = end > start ? m.substring(start, end) : m.substring(start);
        }
        m = m.replace("\\\"", "\"").strip();
        return m.isEmpty() ? "HTTP " + e.getHttpStatus() : m;
    }
}
