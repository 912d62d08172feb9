package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import io.berth.testing.Processes;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Debian package as an operator gets it: {@code ./agent package} builds it, the real apt
 * installs it on this host (the suite runs as root, as CI does), the installed {@code berth} works
 * with nothing but the host's {@code /usr/bin:/bin} (its own Java runtime, no JDK), its daemon
 * runs a container and a VM with no more capabilities than its unit grants and serves a client,
 * its unit passes {@code systemd-analyze verify}, and removing and purging it keep
 * {@code /var/lib/berth}. A package left installed by an earlier run is removed first; the host is
 * left without it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebPackageIT {

    static final Path STATE = Path.of("/var/lib/berth");
    static final Path BERTH = Path.of("/usr/bin/berth");
    static final Duration APT = Duration.ofMinutes(5);

    static Path deb;

    final String id = UUID.randomUUID().toString().substring(0, 6);

    @TempDir
    Path dir;

    @BeforeAll
    static void buildAndInstall() throws IOException {
        if (installed()) {
            ok(List.of("apt-get", "remove", "-y", "berth"), APT);
        }
        long t0 = System.nanoTime();
        Processes.Result built = Processes.run(List.of(Agent.root().resolve("agent").toString(), "package"),
                Map.of(), Agent.root(), Duration.ofMinutes(15));
        assertThat(built.exit()).as(built.toString()).isZero();
        deb = Path.of(built.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertThat(deb.getFileName().toString()).matches("berth_[0-9][0-9A-Za-z.+~]*_amd64\\.deb");
        long t1 = System.nanoTime();
        ok(List.of("apt-get", "install", "-y", deb.toString()), APT);
        long t2 = System.nanoTime();
        System.out.printf("DebPackageIT: ./agent package %.1f s (%d MiB), apt-get install %.1f s%n",
                (t1 - t0) / 1e9, Files.size(deb) >> 20, (t2 - t1) / 1e9);
    }

    @AfterAll
    static void leaveTheHostWithoutIt() {
        if (installed()) {
            ok(List.of("apt-get", "purge", "-y", "berth"), APT);
        }
    }

    @Test
    @Order(1)
    void installsItsFilesWithTheirModes() throws IOException {
        List<String> files = ok(List.of("dpkg", "-L", "berth"), Duration.ofSeconds(30)).out().lines().toList();
        assertThat(files).contains("/usr/bin/berth", "/usr/lib/berth/berth", "/usr/lib/berth/runtime/bin/java",
                "/usr/lib/berth/app/berth-runner.jar", "/lib/systemd/system/berth.service", "/etc/default/berth",
                "/etc/berth/manifests", "/usr/share/man/man1/berth.1.gz", "/usr/share/man/man1/berth-apply.1.gz",
                "/usr/share/bash-completion/completions/berth", "/usr/share/doc/berth/copyright");
        assertThat(files).as("the state directory is made by postinst, never owned by the package")
                .noneMatch(f -> f.startsWith("/var/lib/berth"));
        for (String f : files) {
            Path p = Path.of(f);
            if (!Files.isSymbolicLink(p)) {
                assertThat(Files.getPosixFilePermissions(p)).as(f + " writable by others")
                        .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
                assertThat(Files.getOwner(p).getName()).as(f).isEqualTo("root");
            }
        }
        assertThat(Files.readSymbolicLink(BERTH).toString()).isEqualTo("../lib/berth/berth");
        assertThat(mode("/usr/lib/berth/berth")).isEqualTo("rwxr-xr-x");
        assertThat(mode("/lib/systemd/system/berth.service")).isEqualTo("rw-r--r--");
        assertThat(mode("/var/lib/berth")).as("qemu passes through, nobody else lists").isEqualTo("rwx--x--x");
        assertThat(Files.getOwner(STATE).getName()).isEqualTo("root");
        assertThat(ok(List.of("dpkg-query", "-W", "-f", "${Conffiles}", "berth"), Duration.ofSeconds(30)).out())
                .contains("/etc/default/berth");
        assertThat(Files.readString(Path.of("/usr/share/bash-completion/completions/berth")))
                .contains("complete -F").contains("berth").doesNotStartWith("#!");
        assertThat(ok(List.of("sh", "-c", "zcat /usr/share/man/man1/berth.1.gz"), Duration.ofSeconds(30)).out())
                .contains(".TH \"BERTH\"");
    }

    @Test
    @Order(2)
    void theCommandRunsOnItsOwnRuntimeWithoutAJdk() throws IOException {
        Processes.Result version = berth(Map.of("JAVA_HOME", "/nonexistent"), "--version");
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.out().strip()).startsWith("berth 0.");
        Processes.Result home = berth(Map.of("BERTH_JAVA_OPTS", "-XshowSettings:properties"), "--version");
        assertThat(home.err()).contains("java.home = /usr/lib/berth/runtime");

        Processes.Result valid = berth(Map.of(), "validate", "-f", Agent.root().resolve("manifests/local").toString());
        assertThat(valid.exit()).as(valid.toString()).isZero();
        assertThat(valid.out()).contains("valid");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Manifests.containerYaml("bad-" + id, "5m", "32Mi", "true"));
        Processes.Result invalid = berth(Map.of(), "validate", "-f", bad.toString());
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains(bad + ":").contains("spec.resources.limits.cpu");

        Processes.Result help = berth(Map.of(), "--help");
        assertThat(help.out()).startsWith("Usage: berth").contains("berth serve", "up, test and package");
        Processes.Result up = berth(Map.of(), "up");
        assertThat(up.exit()).isEqualTo(1);
        assertThat(up.err()).contains("berth: up is a verb of a source checkout's ./agent");
    }

    /**
     * The daemon from the package, confined to the capabilities of its unit (read from the
     * installed berth.service, applied with setpriv, since no systemd runs here) and its umask:
     * it creates a container and a VM, and deleting the VM keeps its disk (libvirt-qemu's by then).
     */
    @Test
    @Order(3)
    void itsDaemonRunsWorkloadsWithOnlyTheUnitsCapabilities() throws Exception {
        String agent = "e2e-deb-" + id;
        String app = "deb-" + id;
        String vm = "debvm-" + id;
        List<String> caps = unitCapabilities();
        assertThat(caps).isNotEmpty().doesNotContain("+sys_admin");
        Path confined = dir.resolve("berth-confined");
        Files.writeString(confined, "#!/bin/sh\numask 077\nexec setpriv --bounding-set -all," + String.join(",", caps)
                + " --inh-caps -all -- /usr/bin/berth \"$@\"\n");
        Files.setPosixFilePermissions(confined, PosixFilePermissions.fromString("rwx------"));
        Path manifests = Files.createDirectory(dir.resolve("manifests"));
        Path state = Virsh.stateDir("deb"); // QEMU must reach the disks, which a JUnit temp dir forbids
        Files.writeString(manifests.resolve("app.yaml"), Manifests.containerYaml(app, "100m", "32Mi", Manifests.SLEEP));
        Files.writeString(manifests.resolve("vm.yaml"), Manifests.tinyVmYaml(vm, "0.5", "128Mi", ""));
        try (DaemonProcess daemon = DaemonProcess.start(confined, true, manifests, state, dir.resolve("daemon.log"),
                agent, Map.of(), DaemonProcess.WAIT)) {
            assertThat(capabilityLine(daemon.process().pid())).as("the daemon runs confined")
                    .isEqualTo(capabilityLine(-1));
            daemon.await("container running", () -> Docker.run("inspect", "berth-" + app).exit() == 0
                    && Docker.inspect("berth-" + app, "{{.State.Status}}").equals("running"));
            daemon.await("both reported Running", () -> {
                String out = berthGet(daemon, state).out();
                return out.matches("(?s).*" + app + "\\s+Container\\s+Running\\s+Running.*")
                        && out.matches("(?s).*" + vm + "\\s+VirtualMachine\\s+Running\\s+Running.*");
            });
            assertThat(Virsh.ok("domstate", "berth-" + vm).strip()).isEqualTo("running");

            Files.delete(manifests.resolve("vm.yaml"));
            daemon.await("VM deleted, its disk kept", () -> Virsh.run("domstate", "berth-" + vm).exit() != 0
                    && keptDisk(state, vm));
        } finally {
            Virsh.removeAgentDomains(agent);
            Docker.removeAgentContainers(agent);
            Processes.run(List.of("rm", "-rf", state.toString()), Map.of(), null, Duration.ofMinutes(1));
        }
    }

    @Test
    @Order(4)
    void itsUnitVerifies() {
        Processes.Result verify = Processes.run(List.of("systemd-analyze", "verify", "/lib/systemd/system/berth.service"),
                Map.of(), null, Duration.ofMinutes(1));
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out() + verify.err()).as("no warnings").isBlank();
    }

    @Test
    @Order(5)
    void removeAndPurgeKeepTheStateDirectory() throws IOException {
        Path marker = STATE.resolve("deb-it-" + id);
        Files.writeString(marker, "kept");
        try {
            List<String> before = list(STATE);
            Processes.Result removed = ok(List.of("apt-get", "remove", "-y", "berth"), APT);
            assertThat(installed()).isFalse();
            assertThat(BERTH).doesNotExist();
            assertThat(removed.out()).contains("kept /var/lib/berth");
            assertThat(list(STATE)).containsAll(before);
            assertThat(mode("/var/lib/berth")).isEqualTo("rwx--x--x");

            ok(List.of("apt-get", "purge", "-y", "berth"), APT);
            assertThat(Path.of("/etc/default/berth")).doesNotExist();
            assertThat(list(STATE)).containsAll(before);
            assertThat(Files.readString(marker)).isEqualTo("kept");
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    /** {@code berth ARGS} as under {@code env -i PATH=/usr/bin:/bin}, plus {@code env}. */
    static Processes.Result berth(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(BERTH.toString());
        cmd.addAll(List.of(args));
        return Processes.run(cmd, Map.of(), null, Duration.ofMinutes(2));
    }

    static Processes.Result berthGet(DaemonProcess daemon, Path state) {
        return berth(Map.of(), "get", "--server", daemon.url(), "--token-file", state.resolve("token").toString());
    }

    /** The unit's CapabilityBoundingSet as setpriv's "+name" list. */
    static List<String> unitCapabilities() throws IOException {
        return Files.readAllLines(Path.of("/lib/systemd/system/berth.service")).stream()
                .filter(l -> l.startsWith("CapabilityBoundingSet="))
                .flatMap(l -> Stream.of(l.substring(l.indexOf('=') + 1).trim().split("\\s+")))
                .map(c -> "+" + c.toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", ""))
                .toList();
    }

    /** The CapBnd line of a process's status; -1: what setpriv makes of the unit's set, read from a child of it. */
    static String capabilityLine(long pid) throws IOException {
        if (pid < 0) {
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set", "-all," + String.join(",", unitCapabilities()),
                    "--", "grep", "^CapBnd", "/proc/self/status"));
            return Processes.run(cmd, Map.of(), null, Duration.ofSeconds(30)).out().strip();
        }
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("CapBnd")).findFirst().orElse("none");
    }

    static boolean keptDisk(Path state, String vm) {
        try (Stream<Path> s = Files.walk(state.resolve("deleted").resolve(vm))) {
            return s.anyMatch(p -> p.getFileName().toString().equals("disk.qcow2"));
        } catch (IOException e) {
            return false;
        }
    }

    static boolean installed() {
        return Processes.run(List.of("dpkg-query", "-W", "-f", "${db:Status-Status}", "berth"), Map.of(), null,
                Duration.ofSeconds(30)).out().equals("installed");
    }

    static Processes.Result ok(List<String> cmd, Duration timeout) {
        Processes.Result r = Processes.run(cmd, Map.of("DEBIAN_FRONTEND", "noninteractive"), null, timeout);
        assertThat(r.exit()).as(String.join(" ", cmd) + ": " + r).isZero();
        return r;
    }

    static String mode(String path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(path)));
    }

    static List<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
