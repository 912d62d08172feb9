package io.berth.runtime.libvirt;

import io.berth.manifest.Workload;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeContractTest;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;

import java.nio.file.Path;

/** The shared runtime contract against the real libvirtd (qemu:///system, TCG guests). */
class LibvirtRuntimeContractTest extends RuntimeContractTest {

    /** QEMU runs as libvirt-qemu, so the state directory must be traversable (JUnit's are 0700). */
    static final Path STATE = Virsh.stateDir("contract");

    @Override
    protected Runtime newRuntime(String agent) {
        return new LibvirtRuntime(agent, Virsh.URI, STATE, io.berth.manifest.Redaction.ephemeral());
    }

    @Override
    protected Workload workload(String name, String cpu, String memory) {
        return Manifests.tinyVm(name, cpu, memory, "");
    }

    @Override
    protected void cleanUp(String agent) {
        Virsh.removeAgentDomains(agent);
    }
}
