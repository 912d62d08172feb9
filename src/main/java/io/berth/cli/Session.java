package io.berth.cli;

import io.berth.manifest.Kind;
import io.berth.runtime.Observed;
import io.berth.runtime.Runtime;
import io.berth.runtime.docker.DockerRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A local-mode session: this agent's identity and the runtimes, talked to directly. Closing it
 * closes the runtimes' connections. Not thread-safe; one per command.
 */
final class Session implements AutoCloseable {

    private final String agent;
    private final Map<Kind, Runtime> runtimes = new EnumMap<>(Kind.class);

    private Session(String agent) {
        this.agent = agent;
        runtimes.put(Kind.Container, new DockerRuntime(agent));
    }

    static Session local() {
        return new Session(agentName());
    }

    /** BERTH_AGENT_NAME, else the kernel's host name (read directly: no DNS lookup on the hot path). */
    static String agentName() {
        String env = System.getenv("BERTH_AGENT_NAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null || h.isBlank() ? "localhost" : h;
        }
    }

    String agent() {
        return agent;
    }

    Map<Kind, Runtime> runtimes() {
        return runtimes;
    }

    /** Everything this agent manages, across runtimes. */
    List<Observed> observeAll() {
        List<Observed> all = new ArrayList<>();
        for (Runtime r : runtimes.values()) {
            all.addAll(r.list());
        }
        return all;
    }

    @Override
    public void close() {
        runtimes.values().forEach(Runtime::close);
    }
}
