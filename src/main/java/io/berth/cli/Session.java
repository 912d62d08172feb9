package io.berth.cli;

import io.berth.manifest.Kind;
import io.berth.runtime.Observed;
import io.berth.manifest.Workload;
import io.berth.runtime.RuntimeSet;
import io.berth.util.Hosts;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A local-mode session: this agent's identity and the runtimes, talked to directly. Closing it
 * closes the runtimes' connections. Not thread-safe; one per command.
 */
final class Session implements AutoCloseable {

    private final String agent;
    private final RuntimeSet runtimes;

    private Session(String agent) {
        this.agent = agent;
        this.runtimes = RuntimeSet.forAgent(agent,
                io.berth.util.StateDirs.fromEnvironment());
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
        return Hosts.name();
    }

    String agent() {
        return agent;
    }

    RuntimeSet runtimes() {
        return runtimes;
    }

    /**
     * Everything this agent manages, across runtimes, listed in parallel. A runtime that cannot be
     * reached is an error when {@code needed} includes its kind; otherwise it is reported on
     * {@code warn} and counts as empty, so a container-only host needs no libvirtd.
     */
    List<Observed> observe(Set<Kind> needed, PrintWriter warn) {
        return runtimes.list().require(needed, warn);
    }

    /** The kinds among these workloads, i.e. the runtimes that must answer. */
    static Set<Kind> kinds(List<Workload> workloads) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        workloads.forEach(w -> kinds.add(w.kind()));
        return kinds;
    }

    @Override
    public void close() {
        runtimes.close();
    }
}
