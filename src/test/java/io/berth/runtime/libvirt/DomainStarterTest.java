package io.berth.runtime.libvirt;

import io.berth.runtime.RuntimeFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which start failures are this host refusing the memtune hard limit at start (then: set it live). */
class DomainStarterTest {

    @TempDir
    Path dir;

    static final String START = "2026-12-02 04:25:04.601+0000: starting up libvirt version: 9.0.0, qemu version: 7.2.0\n"
            + "LC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=berth-vm ...\n";

    @Test
    void libvirtsOwnWordsAreEnough() {
        assertThat(DomainStarter.refusedMemtune(new RuntimeFailure("vm", "vm: start domain: internal error: Process exited"
                + " prior to exec: libvirt:  error : cannot limit locked memory of process 28070 to 375809024:"
                + " Operation not permitted"))).isTrue();
        assertThat(DomainStarter.refusedMemtune(new RuntimeFailure("vm", "vm: start domain: internal error: Process"
                + " exited prior to exec"))).isFalse();
    }

    @Test
    void aBareProcessExitedPriorToExecIsTheRefusalWhenTheDomainsLastStartInItsLogSaysSo() throws Exception {
        RuntimeFailure bare = new RuntimeFailure("vm", "vm: start domain: internal error: Process exited prior to exec");
        Path log = dir.resolve("berth-vm.log");
        Files.writeString(log, START + "libvirt:  error : cannot limit locked memory of process 28070 to 375809024:"
                + " Operation not permitted\n2026-12-02 04:25:04.649+0000: shutting down, reason=failed\n");
        assertThat(DomainStarter.refusedMemtuneSaysItsLog(bare, log)).isTrue();

        // An earlier start's refusal does not explain this one.
        Files.writeString(log, START + "libvirt:  error : cannot limit locked memory of process 1 to 2: Operation not"
                + " permitted\n" + START + "qemu-system-x86_64: -drive file=/nope: Could not open '/nope'\n");
        assertThat(DomainStarter.refusedMemtuneSaysItsLog(bare, log)).isFalse();
        assertThat(DomainStarter.refusedMemtuneSaysItsLog(bare, dir.resolve("missing.log"))).isFalse();
        assertThat(DomainStarter.refusedMemtuneSaysItsLog(new RuntimeFailure("vm", "vm: start domain: other"), log)).isFalse();
    }
}
