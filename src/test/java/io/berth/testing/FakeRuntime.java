package io.berth.testing;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Kind;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import io.berth.runtime.Capabilities;
import io.berth.runtime.LeftoverTask;
import io.berth.runtime.NameTaken;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.Ownership;
import io.berth.runtime.OwnershipLabels;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.WorkloadState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory container runtime for tests without Docker or libvirt. Objects are either this
 * agent's (listed, changed, removed) or foreign (same-named, never listed, never touched; they
 * make create fail with {@link NameTaken}, as Docker's conflict does). Every mutating call is
 * recorded in {@link #calls} as {@code "verb name"}. Thread-safe.
 */
public final class FakeRuntime implements Runtime {

    /** One object: its spec as created, its ownership (null when foreign), its state and health. */
    private record Obj(Workload applied, Ownership owner, WorkloadState state, Integer exitCode, String health) {
        Obj with(WorkloadState s, Integer exit, String h) {
            return new Obj(applied, owner, s, exit, h);
        }
    }

    private final String agent;
    private final Map<String, Obj> objects = new ConcurrentHashMap<>();
    /** Mutating calls, in order: "create web", "start web", "stop web", "remove web", "update web". */
    public final List<String> calls = new CopyOnWriteArrayList<>();

    /** Names whose start is refused (after the object is started, as a start that fails half-way would be). */
    public final java.util.Set<String> refuseStart = ConcurrentHashMap.newKeySet();

    /**
     * Names whose next start is refused as the engine refuses a container it still holds a task
     * of ({@link LeftoverTask}); a new object of that name starts.
     */
    public final java.util.Set<String> leftoverTask = ConcurrentHashMap.newKeySet();

    public FakeRuntime(String agent) {
        this.agent = agent;
    }

    /** An object this agent created from {@code w}, declared by {@code source}, in {@code state}. */
    public void putOwned(Workload w, String source, WorkloadState state) {
        objects.put(w.name(), new Obj(w, new Ownership(agent, source), state, state == WorkloadState.Exited ? 1 : null,
                null));
    }

    /** A same-named object Berth did not create for this agent (unlabelled). */
    public void putForeign(String name) {
        objects.put(name, new Obj(null, null, WorkloadState.Running, null, null));
    }

    /** What a health check says now: "unhealthy", "healthy", or null. */
    public void setHealth(String name, String health) {
        objects.computeIfPresent(name, (k, o) -> o.with(o.state(), o.exitCode(), health));
    }

    /** It exited on its own (as a crash would). */
    public void exit(String name, int code) {
        objects.computeIfPresent(name, (k, o) -> o.with(WorkloadState.Exited, code, o.health()));
    }

    public boolean has(String name) {
        return objects.containsKey(name);
    }

    @Override
    public Kind kind() {
        return Kind.Container;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities("fake", "1", "1", List.of(), List.of());
    }

    @Override
    public List<Observed> list() {
        List<Observed> out = new ArrayList<>();
        objects.keySet().forEach(n -> inspect(n).ifPresent(out::add));
        return out;
    }

    @Override
    public Optional<Observed> inspect(String name) {
        Obj o = objects.get(name);
        if (o == null || o.owner() == null || !agent.equals(o.owner().agent())) {
            return Optional.empty();
        }
        Workload w = o.applied();
        long mem = w.resources().limits().memoryBytes();
        return Optional.of(new Observed(name, Kind.Container, "id-" + name, o.state(), o.exitCode(), false,
                o.owner().source(), agent, CanonicalForm.specHash(w), w,
                new ObservedLimits(w.resources().limits().cpuMillis(), mem, mem, w.resources().pids(), 0),
                List.of(), o.health()));
    }

    @Override
    public List<String> create(Workload w, Ownership ownership) {
        calls.add("create " + w.name());
        Obj there = objects.get(w.name());
        if (there != null && there.owner() == null) {
            throw new NameTaken(w.name(), w.name() + ": a container named " + OwnershipLabels.objectName(w.name())
                    + " already exists and Berth did not create it for this agent; rename or remove it, or rename the workload");
        }
        if (there != null) {
            throw new RuntimeFailure(w.name(), w.name() + ": already exists");
        }
        objects.put(w.name(), new Obj(w, ownership, WorkloadState.Created, null, null));
        return List.of();
    }

    @Override
    public List<String> start(String name) {
        calls.add("start " + name);
        owned(name);
        if (leftoverTask.remove(name)) {
            throw new LeftoverTask(name, name + ": start: task id-" + name + ": already exists", null);
        }
        objects.computeIfPresent(name, (k, o) -> o.with(WorkloadState.Running, null, null));
        if (refuseStart.contains(name)) {
            throw new RuntimeFailure(name, name + ": start refused");
        }
        return List.of();
    }

    @Override
    public void updateLimits(String name, Resources resources) {
        calls.add("update " + name);
        Obj o = owned(name);
        objects.put(name, new Obj(o.applied().withResources(resources), o.owner(), o.state(), o.exitCode(), o.health()));
    }

    @Override
    public void stop(String name, Duration grace) {
        calls.add("stop " + name);
        if (inspect(name).isPresent()) {
            objects.computeIfPresent(name, (k, o) -> o.with(WorkloadState.Exited, 0, null));
        }
    }

    @Override
    public void remove(String name, boolean keepData) {
        calls.add("remove " + name);
        if (inspect(name).isPresent()) {
            objects.remove(name);
        }
    }

    private Obj owned(String name) {
        if (inspect(name).isEmpty()) {
            throw new RuntimeFailure(name, name + ": no container managed by Berth for this agent");
        }
        return objects.get(name);
    }

    @Override
    public void close() {
    }
}
