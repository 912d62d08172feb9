package io.berth.testing;

import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test workloads from YAML text, through the real loader (so tests use what users write). */
public final class Manifests {

    private Manifests() {
    }

    public static List<Workload> parse(String yaml) {
        try {
            Path dir = Files.createTempDirectory("berth-test");
            Path file = dir.resolve("test.yaml");
            Files.writeString(file, yaml);
            ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(file.toString()));
            if (!r.errors().isEmpty()) {
                throw new AssertionError("test manifest invalid: " + r.errors());
            }
            Files.delete(file);
            Files.delete(dir);
            return r.workloads();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Workload one(String yaml) {
        List<Workload> all = parse(yaml);
        if (all.size() != 1) {
            throw new AssertionError("expected one workload, got " + all.size());
        }
        return all.getFirst();
    }

    /** A busybox container that sleeps and exits promptly on SIGTERM. */
    public static Workload sleeper(String name, String cpu, String memory) {
        return one("""
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources:
                    limits: {cpu: "%s", memory: %s, pids: 100}
                  image: berth/busybox:1
                  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(name, cpu, memory));
    }

    /**
     * The tiny offline test VM (TCG; Debian's cloud kernel and the busybox initramfs of
     * deploy/guest, on the 64 MiB base disk), as YAML; {@code cmdlineExtra} adds kernel arguments
     * such as {@code berth.burn=1}.
     */
    public static String tinyVmYaml(String name, String cpu, String memory, String cmdlineExtra) {
        return tinyVmYaml(name, cpu, memory, cmdlineExtra, null);
    }

    /** The same with {@code disk.size} (null: the base image's size). */
    public static String tinyVmYaml(String name, String cpu, String memory, String cmdlineExtra, String diskSize) {
        return """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: %s}
                spec:
                  hypervisor: qemu
                  resources:
                    limits: {cpu: "%s", memory: %s}
                  disk: {image: /var/lib/berth/images/base-64m.qcow2%s}
                  kernel:
                    path: /var/lib/berth/images/vmlinuz
                    initrd: /var/lib/berth/images/initrd-busybox.img
                    cmdline: console=ttyS0 panic=-1%s
                """.formatted(name, cpu, memory, diskSize == null ? "" : ", size: " + diskSize,
                cmdlineExtra.isEmpty() ? "" : " " + cmdlineExtra);
    }

    public static Workload tinyVm(String name, String cpu, String memory, String cmdlineExtra) {
        return one(tinyVmYaml(name, cpu, memory, cmdlineExtra));
    }

    /** A shell command that sleeps and exits promptly on SIGTERM. */
    public static final String SLEEP = "trap 'exit 0' TERM; while true; do sleep 1; done";
    /** A shell command that burns one CPU. */
    public static final String BURN = "while :; do :; done";

    /** A busybox container running {@code sh -c shell}, as YAML. */
    public static String containerYaml(String name, String cpu, String memory, String shell) {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources:
                    limits: {cpu: %s, memory: %s}
                  image: berth/busybox:1
                  command: ["sh", "-c", "%s"]
                """.formatted(name, cpu, memory, shell);
    }
}
