package io.berth.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the real {@code ./agent} launcher as a user would, as one agent identity. */
public final class Agent {

    /** The client verbs that talk to the daemon unless given --local. */
    static final java.util.Set<String> CLIENT_VERBS = java.util.Set.of("plan", "apply", "get", "delete", "logs");

    private final String name;
    private final boolean local;

    /** Client commands go to the daemon (or fail with exit 3 when none runs), as a user's would. */
    public Agent(String name) {
        this(name, false);
    }

    private Agent(String name, boolean local) {
        this.name = name;
        this.local = local;
    }

    /** Client commands get --local: they talk to Docker and libvirt directly, no daemon needed. */
    public static Agent local(String name) {
        return new Agent(name, true);
    }

    public String name() {
        return name;
    }

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    public static Path root() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath();
    }

    public Result run(String... args) {
        return run(java.util.Map.of(), args);
    }

    public Result run(java.util.Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(root().resolve("agent").toString());
        cmd.addAll(List.of(args));
        if (local && args.length > 0 && CLIENT_VERBS.contains(args[0])) {
            cmd.add(2, "--local");
        }
        java.util.Map<String, String> all = new java.util.HashMap<>(env);
        all.putIfAbsent("BERTH_AGENT_NAME", name);
        Processes.Result r = Processes.run(cmd, all, root(), java.time.Duration.ofSeconds(300));
        return new Result(r.exit(), r.out(), r.err());
    }
}
