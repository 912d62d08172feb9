package io.berth.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** virsh as an independent oracle for tests, against the same libvirtd Berth uses. */
public final class Virsh {

    public static final String URI = "qemu:///system";

    private Virsh() {
    }

    public static Docker.Result run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-c", URI));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(cmd, java.util.Map.of(), null, java.time.Duration.ofSeconds(60));
        return new Docker.Result(r.exit(), r.out().strip(), r.err().strip());
    }

    public static String ok(String... args) {
        Docker.Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("virsh " + String.join(" ", args) + " failed: " + r.err());
        }
        return r.out();
    }

    /** A fresh state directory QEMU (libvirt-qemu) can reach: 0755 under /var/lib/berth/test. */
    public static java.nio.file.Path stateDir(String purpose) {
        try {
            java.nio.file.Path base = java.nio.file.Files.createDirectories(java.nio.file.Path.of("/var/lib/berth/test"));
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(base, purpose + "-");
            java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Destroys and undefines every domain whose Berth metadata names this agent. */
    public static void removeAgentDomains(String agent) {
        for (String name : ok("list", "--all", "--name").split("\\s+")) {
            if (!name.startsWith("berth-")) {
                continue;
            }
            Docker.Result xml = run("dumpxml", name);
            if (xml.exit() == 0 && xml.out().contains("<berth:agent>" + agent + "</berth:agent>")) {
                run("destroy", name);
                run("undefine", name);
            }
        }
    }

    /** After a test's daemon: its agent's domains, then its whole state directory (a temporary one from {@link #stateDir}). */
    public static void removeAgentDomainsAndState(String agent, java.nio.file.Path state) throws IOException {
        removeAgentDomains(agent);
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
