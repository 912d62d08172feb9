package io.berth.runtime;

import io.berth.manifest.Limits;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one contract every runtime passes against its real daemon (Nomad's shared driver harness):
 * create, inspect, start, update limits in place, stop, remove, list only what is ours.
 */
public abstract class RuntimeContractTest {

    protected final String agent = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    protected final String prefix = "ct" + UUID.randomUUID().toString().substring(0, 6);
    protected Runtime runtime;

    /** A runtime for this agent, against the real daemon. */
    protected abstract Runtime newRuntime(String agent);

    /** A small workload of the runtime's kind that keeps running until stopped. */
    protected abstract Workload workload(String name, String cpu, String memory);

    /** Removes everything the given agent left behind, through the daemon's own tools. */
    protected abstract void cleanUp(String agent);

    @BeforeEach
    void open() {
        runtime = newRuntime(agent);
    }

    @AfterEach
    void close() {
        runtime.close();
        cleanUp(agent);
        cleanUp(agent + "-other");
    }

    protected Ownership ownership() {
        return new Ownership(agent, "/test/source");
    }

    @Test
    void createsStartsAndReportsWhatItEnforces() {
        Workload w = workload(prefix + "-a", "0.5", "64Mi");
        runtime.create(w, ownership());
        Observed created = runtime.inspect(w.name()).orElseThrow();
        // Docker says Created; libvirt cannot tell a defined domain from a stopped one.
        assertThat(created.state()).isIn(WorkloadState.Created, WorkloadState.Exited);

        runtime.start(w.name());
        Observed running = runtime.inspect(w.name()).orElseThrow();
        assertThat(running.state()).isEqualTo(WorkloadState.Running);
        assertThat(running.runtimeId()).isEqualTo(created.runtimeId());
        assertThat(running.kind()).isEqualTo(w.kind());
        assertThat(running.limits().cpuMillis()).isEqualTo(500);
        assertThat(running.limits().memoryBytes()).isEqualTo(64L << 20);
        assertThat(running.source()).isEqualTo("/test/source");
        assertThat(running.agent()).isEqualTo(agent);
        assertThat(running.applied()).isNotNull();
        assertThat(running.applied().sameSpec(w)).as("recorded spec round-trips").isTrue();
        assertThat(runtime.list()).extracting(Observed::name).containsExactly(w.name());
    }

    @Test
    void updatesLimitsInPlaceKeepingTheSameObject() {
        Workload w = workload(prefix + "-b", "0.5", "64Mi");
        runtime.create(w, ownership());
        runtime.start(w.name());
        String id = runtime.inspect(w.name()).orElseThrow().runtimeId();

        // Within what every runtime changes live: CPU up to the next whole core, memory down.
        runtime.updateLimits(w.name(), new Resources(new Limits(1000, 48L << 20), w.resources().requests(),
                w.resources().pids()));

        Observed after = runtime.inspect(w.name()).orElseThrow();
        assertThat(after.runtimeId()).isEqualTo(id);
        assertThat(after.state()).isEqualTo(WorkloadState.Running);
        assertUpdatedLimits(after, 1000, 48L << 20);
    }

    /** The runtime reports the limits it enforces after a live update. */
    protected void assertUpdatedLimits(Observed after, long cpuMillis, long memoryBytes) {
        assertThat(after.limits().cpuMillis()).isEqualTo(cpuMillis);
        assertThat(after.limits().memoryBytes()).isEqualTo(memoryBytes);
    }

    @Test
    void stopAndRemoveAreIdempotent() {
        Workload w = workload(prefix + "-c", "0.25", "32Mi");
        runtime.create(w, ownership());
        runtime.start(w.name());
        runtime.stop(w.name(), Duration.ofSeconds(5));
        assertThat(runtime.inspect(w.name()).orElseThrow().state()).isEqualTo(WorkloadState.Exited);
        runtime.stop(w.name(), Duration.ofSeconds(5));
        runtime.remove(w.name(), false);
        assertThat(runtime.inspect(w.name())).isEmpty();
        runtime.remove(w.name(), false);
        runtime.stop(w.name(), Duration.ofSeconds(1));
        assertThat(runtime.list()).isEmpty();
    }

    @Test
    void createNeverOverwritesAnExistingObject() {
        Workload w = workload(prefix + "-d", "0.25", "32Mi");
        runtime.create(w, ownership());
        assertThatThrownBy(() -> runtime.create(w, ownership()))
                .isInstanceOf(RuntimeFailure.class)
                .hasMessageContaining(w.name())
                .hasMessageContaining("already exists");
        assertThat(runtime.list()).hasSize(1);
    }

    @Test
    void listsAndTouchesOnlyThisAgentsWorkloads() {
        try (Runtime other = newRuntime(agent + "-other")) {
            Workload theirs = workload(prefix + "-e", "0.25", "32Mi");
            other.create(theirs, new Ownership(agent + "-other", "/test/source"));
            assertThat(runtime.list()).isEmpty();
            assertThat(runtime.inspect(theirs.name())).isEmpty();
            runtime.remove(theirs.name(), false);
            assertThat(other.inspect(theirs.name())).isPresent();
        }
    }

    @Test
    void reportsCapabilities() {
        Capabilities c = runtime.capabilities();
        assertThat(c.runtime()).isNotBlank();
        assertThat(c.version()).isNotBlank();
    }
}
