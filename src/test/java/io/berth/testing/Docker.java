package io.berth.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The docker CLI as an independent oracle for tests: what Berth did is checked with Docker's own
 * tool, not with the client library Berth uses.
 */
public final class Docker {

    private Docker() {
    }

    public record Result(int exit, String out, String err) {
    }

    public static Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(cmd, java.util.Map.of(), null, java.time.Duration.ofSeconds(120));
        return new Result(r.exit(), r.out().strip(), r.err().strip());
    }

    /** Runs and requires exit 0; returns stdout. */
    public static String ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }

    public static String inspect(String container, String goTemplate) {
        return ok("inspect", "--format", goTemplate, container);
    }

    /** Removes every container of this test agent (by label), whatever its state. */
    public static void removeAgentContainers(String agent) {
        String ids = ok("ps", "-aq", "--filter", "label=io.berth.agent=" + agent);
        if (!ids.isBlank()) {
            List<String> cmd = new ArrayList<>(List.of("rm", "-f"));
            cmd.addAll(List.of(ids.split("\\s+")));
            run(cmd.toArray(String[]::new));
        }
    }

    /** A cgroup file read from inside the container; v1 and v2 paths are both tried. */
    public static String cgroup(String container, String v1Path, String v2Path) {
        return ok("exec", container, "sh", "-c", "cat /sys/fs/cgroup/" + v2Path + " 2>/dev/null || cat /sys/fs/cgroup/" + v1Path);
    }

    public static boolean cgroupV2() {
        return ok("info", "--format", "{{.CgroupVersion}}").equals("2");
    }
}
