package io.berth.runtime.docker;

import io.berth.manifest.Workload;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeContractTest;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;

/** The shared runtime contract against the real Docker Engine. */
class DockerRuntimeContractTest extends RuntimeContractTest {

    @Override
    protected Runtime newRuntime(String agent) {
        return new DockerRuntime(agent, io.berth.manifest.Redaction.ephemeral());
    }

    @Override
    protected Workload workload(String name, String cpu, String memory) {
        return Manifests.sleeper(name, cpu, memory);
    }

    @Override
    protected void cleanUp(String agent) {
        Docker.removeAgentContainers(agent);
    }
}
