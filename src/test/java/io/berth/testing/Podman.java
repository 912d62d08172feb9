package io.berth.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The podman CLI as the independent oracle for the Podman tests (what Berth did through Podman's
 * Docker-compatible socket is checked with Podman's own tool), and the socket deploy/host-setup.sh
 * starts ({@code podman system service}).
 */
public final class Podman {

    public static final String SOCKET = "/run/podman/podman.sock";
    public static final String HOST = "unix://" + SOCKET;

    private Podman() {
    }

    public static Processes.Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("podman");
        cmd.addAll(List.of(args));
        return Processes.run(cmd, Map.of(), null, Duration.ofSeconds(120));
    }

    /** Runs and requires exit 0; returns stdout, stripped. */
    public static String ok(String... args) {
        Processes.Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("podman " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.err());
        }
        return r.out().strip();
    }

    public static String inspect(String container, String goTemplate) {
        return ok("inspect", "--format", goTemplate, container);
    }

    /** Removes every container of this test agent (by label), whatever its state. */
    public static void removeAgentContainers(String agent) {
        String ids = ok("ps", "-aq", "--filter", "label=io.berth.agent=" + agent);
        if (!ids.isBlank()) {
            List<String> cmd = new ArrayList<>(List.of("rm", "-f", "-t", "0"));
            cmd.addAll(List.of(ids.split("\\s+")));
            run(cmd.toArray(String[]::new));
        }
    }
}
