package io.berth.runtime.libvirt;

import io.berth.util.AtomicFiles;
import io.berth.util.StateDirs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Finds out whether KVM really runs guests here, not only whether /dev/kvm opens: on a nested host
 * a {@code type='kvm'} domain can reach "running" while its guest never boots. The probe boots a
 * Linux kernel under {@code -accel kvm} and waits for it to get all the way to its final panic
 * (no root file system on purpose). Its result is cached per boot and QEMU binary.
 */
final class HypervisorProbe {

    /** The outcome: whether KVM runs guests, and why not when it does not. */
    record Result(boolean kvm, String reason) {
    }

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private HypervisorProbe() {
    }

    /**
     * The probe's result from {@code cache} when it was written for this boot and this QEMU binary,
     * else a fresh probe (seconds, when KVM hangs), written back. The CLI starts often; the answer
     * only changes when the host or QEMU does.
     */
    static Result cached(Path cache, Path kernel) {
        String key = cacheKey();
        try {
            if (Files.isRegularFile(cache)) {
                List<String> lines = Files.readAllLines(cache);
                if (lines.size() == 3 && lines.get(0).equals(key)) {
                    return new Result(Boolean.parseBoolean(lines.get(1)), lines.get(2));
                }
            }
        } catch (IOException e) {
            // unreadable cache: probe again
        }
        Result r = probe(kernel);
        try {
            StateDirs.secure(cache.getParent());
            AtomicFiles.write(cache, String.join("\n", key, Boolean.toString(r.kvm()), r.reason().replace('\n', ' '))
                    .concat("\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            // not cached: the next start probes again
        }
        return r;
    }

    /** Boot id (changes every boot) plus the QEMU binary's modification time. */
    private static String cacheKey() {
        String boot = HostFacts.bootId();
        long qemu = 0;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(p)) {
                qemu = p.toFile().lastModified();
                break;
            }
        }
        return boot + " " + qemu;
    }

    static Result probe(Path kernel) {
        Path dev = Path.of("/dev/kvm");
        if (!Files.exists(dev)) {
            return new Result(false, "/dev/kvm does not exist (no hardware virtualisation, or the kvm module is not loaded)");
        }
        try (RandomAccessFile ignored = new RandomAccessFile(dev.toFile(), "rw")) {
            // opening is necessary, not sufficient
        } catch (IOException e) {
            return new Result(false, "/dev/kvm cannot be opened: " + e.getMessage());
        }
        if (!Files.isReadable(kernel)) {
            return new Result(true, "/dev/kvm opens; not verified by booting (no probe kernel at " + kernel + ")");
        }
        try {
            // A whole kernel, not a few instructions: on a nested host real-mode and even long-mode
            // test code runs under KVM while Linux itself never gets to print a line. Without a root
            // file system the kernel ends in a panic, which proves it ran from start to finish.
            Commands.Result r = Commands.run(List.of("timeout", "--kill-after=1", Long.toString(TIMEOUT.toSeconds()),
                    "qemu-system-x86_64", "-accel", "kvm", "-nodefaults", "-display", "none", "-no-reboot",
                    "-m", "128", "-serial", "stdio", "-kernel", kernel.toString(),
                    "-append", "console=ttyS0 panic=-1 root=/dev/berth-probe-none"), TIMEOUT.plusSeconds(3));
            String out = r.out();
            if (out.contains("Kernel panic") || out.contains("VFS:") || out.contains("Run /init")) {
                return new Result(true, "a KVM test guest booted Linux");
            }
            if (r.exit() == 124 || r.exit() == 137) {
                return new Result(false, "a KVM test guest did not boot Linux within " + TIMEOUT.toSeconds()
                        + " s (nested virtualisation without working guests?)");
            }
            return new Result(false, "qemu with KVM failed: " + r.err().strip().lines()
                    .filter(l -> !l.contains("warning")).findFirst().orElse("exit " + r.exit()));
        } catch (IOException e) {
            return new Result(false, "the KVM probe could not run: " + e.getMessage());
        }
    }

}
