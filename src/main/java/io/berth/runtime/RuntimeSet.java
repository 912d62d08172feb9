package io.berth.runtime;

import io.berth.images.ImageDownloads;
import io.berth.images.ImageProgress;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.Kind;
import io.berth.manifest.Redaction;
import io.berth.runtime.docker.DockerRuntime;
import io.berth.runtime.libvirt.LibvirtRuntime;
import io.berth.util.DaemonThreads;
import io.berth.util.HostKey;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The runtimes of this host for one agent — Docker always, libvirt where its client library is
 * installed (a container-only host simply has no VM runtime) — and the one place that lists them
 * all or finds the one that has a name. Every caller (the CLI's local mode, the daemon's resync
 * and API, the sampler) goes through it, so "one runtime is down" is decided the same way
 * everywhere: a {@link Listing} says which ones answered, and each caller chooses whether a
 * missing one is an error. Thread-safe; closing it closes the runtimes' connections.
 */
public final class RuntimeSet implements AutoCloseable {

    private final Map<Kind, Runtime> byKind;
    private final Redaction redaction;
    private final ImageDownloads downloads;

    /** @param redaction the one the runtimes record specs with, for planners to compare through */
    public RuntimeSet(Map<Kind, Runtime> runtimes, Redaction redaction) {
        this(runtimes, redaction, null);
    }

    private RuntimeSet(Map<Kind, Runtime> runtimes, Redaction redaction, ImageDownloads downloads) {
        this.byKind = Collections.unmodifiableMap(new EnumMap<>(runtimes));
        this.redaction = redaction;
        this.downloads = downloads;
    }

    /** Runtimes that keep what they create in memory: a redaction under a key of this process. */
    public RuntimeSet(Map<Kind, Runtime> runtimes) {
        this(runtimes, Redaction.ephemeral());
    }

    /**
     * DOCKER_HOST and BERTH_LIBVIRT_URI choose the daemons; VM files live under {@code stateDir},
     * and so does the host key secret spec values are recorded under.
     */
    public static RuntimeSet forAgent(String agent, Path stateDir) {
        return forAgent(agent, stateDir, HostPolicy.fromEnvironment());
    }

    /** As {@link #forAgent(String, Path)}, with base images (and their chains) checked against {@code policy} at create. */
    public static RuntimeSet forAgent(String agent, Path stateDir, HostPolicy policy) {
        Redaction redaction = new Redaction(new HostKey(stateDir));
        ImageDownloads downloads = new ImageDownloads(policy);
        Map<Kind, Runtime> runtimes = new EnumMap<>(Kind.class);
        DockerRuntime docker = new DockerRuntime(agent, redaction);
        docker.reportPullsTo(downloads::report);
        runtimes.put(Kind.Container, docker);
        if (LibvirtRuntime.installed()) {
            runtimes.put(Kind.VirtualMachine, new LibvirtRuntime(agent,
                    System.getenv().getOrDefault("BERTH_LIBVIRT_URI", "qemu:///system"), stateDir, policy, redaction, downloads));
        }
        return new RuntimeSet(runtimes, redaction, downloads);
    }

    /**
     * Receives the progress of every base image download (VMs on {@code disk.image: {url, sha256}})
     * and container image pull until the returned handle is closed; a set without downloads never
     * calls it. Must not block.
     */
    public ImageDownloads.Watch watchImages(java.util.function.Consumer<ImageProgress> watcher) {
        return downloads == null ? () -> { } : downloads.watch(watcher);
    }

    /** How these runtimes record secret spec values: plans compare desired and recorded specs through it. */
    public Redaction redaction() {
        return redaction;
    }

    public Collection<Runtime> all() {
        return byKind.values();
    }

    public Set<Kind> kinds() {
        return byKind.keySet();
    }

    public int size() {
        return byKind.size();
    }

    /** The names of {@code agent}'s networks on the local engine, asked once per call; empty when it does not answer. */
    public static Set<String> networkNames(String agent) {
        return io.berth.runtime.docker.DockerNetworks.names(agent);
    }

    /** The networks of the container engine (kind: Network), if this host has one. */
    public Optional<Networks> networks() {
        return byKind.get(Kind.Container) instanceof DockerRuntime d ? Optional.of(d.networks()) : Optional.empty();
    }

    public Optional<Runtime> get(Kind kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    /** The runtime for this kind, or unavailable when this agent has none (no libvirt installed). */
    public Runtime require(Kind kind) {
        Runtime r = byKind.get(kind);
        if (r == null) {
            throw new RuntimeUnavailableException("this agent has no " + kind + " runtime", null);
        }
        return r;
    }

    /**
     * Asks every runtime for its list, in parallel (blocking until each answered or failed). Never
     * throws for a runtime that fails: the listing records it.
     */
    public Listing list() {
        Map<Kind, List<Observed>> answered = new EnumMap<>(Kind.class);
        Map<Kind, RuntimeException> failed = new EnumMap<>(Kind.class);
        if (byKind.size() == 1) {
            Runtime only = byKind.values().iterator().next();
            try {
                answered.put(only.kind(), only.list());
            } catch (RuntimeException e) {
                failed.put(only.kind(), e);
            }
            return new Listing(answered, failed);
        }
        ExecutorService threads = DaemonThreads.fixed("list", byKind.size());
        try {
            Map<Kind, Future<List<Observed>>> lists = new EnumMap<>(Kind.class);
            byKind.forEach((kind, r) -> lists.put(kind, threads.submit(r::list)));
            for (Map.Entry<Kind, Future<List<Observed>>> e : lists.entrySet()) {
                try {
                    answered.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException ex) {
                    failed.put(e.getKey(), ex.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException(ex.getCause()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            threads.shutdownNow();
        }
        return new Listing(answered, failed);
    }

    /**
     * The managed object with this name in whichever runtime has it, the {@code preferred} kind's
     * runtime first (null: any order). A runtime that cannot be reached fails the lookup: "not
     * found" must mean not there, never "could not ask".
     */
    public Optional<Observed> find(String name, Kind preferred) {
        if (preferred != null && byKind.containsKey(preferred)) {
            Optional<Observed> o = byKind.get(preferred).inspect(name);
            if (o.isPresent()) {
                return o;
            }
        }
        for (Runtime r : byKind.values()) {
            if (r.kind() != preferred) {
                Optional<Observed> o = r.inspect(name);
                if (o.isPresent()) {
                    return o;
                }
            }
        }
        return Optional.empty();
    }

    /** The runtime that keeps data aside for this kind ({@link KeptData}), if it has one. */
    public Optional<KeptData> keptData(Kind kind) {
        return get(kind).filter(r -> r instanceof KeptData).map(r -> (KeptData) r);
    }

    /** The runtime that holds a managed object of this name, if any. */
    public Optional<Runtime> owner(String name) {
        return find(name, null).map(o -> byKind.get(o.kind()));
    }

    @Override
    public void close() {
        byKind.values().forEach(Runtime::close);
    }

    /**
     * What one {@link #list()} got: each answering runtime's objects, and each failing runtime's
     * error.
     */
    public record Listing(Map<Kind, List<Observed>> answered, Map<Kind, RuntimeException> failed) {

        public Listing {
            answered = Collections.unmodifiableMap(answered);
            failed = Collections.unmodifiableMap(failed);
        }

        /** True when every runtime answered (what readiness vouches for). */
        public boolean complete() {
            return failed.isEmpty();
        }

        /** Every object of the runtimes that answered. */
        public List<Observed> observed() {
            List<Observed> all = new ArrayList<>();
            answered.values().forEach(all::addAll);
            return all;
        }

        /**
         * Every object, where the runtimes of the {@code needed} kinds must have answered: a failure
         * of one of them is thrown; an unreachable runtime that is not needed is reported on
         * {@code warn} (when given) and counts as empty, so a container-only host needs no libvirtd
         * — unless nothing answered at all. Errors other than "unreachable" are always thrown.
         */
        public List<Observed> require(Set<Kind> needed, PrintWriter warn) {
            for (Kind k : needed) {
                if (!answered.containsKey(k) && !failed.containsKey(k)) {
                    throw new RuntimeUnavailableException("this agent has no " + k + " runtime", null);
                }
            }
            for (Map.Entry<Kind, RuntimeException> e : failed.entrySet()) {
                if (needed.contains(e.getKey()) || !(e.getValue() instanceof RuntimeUnavailableException)) {
                    throw e.getValue();
                }
            }
            if (!failed.isEmpty() && answered.isEmpty()) {
                throw failed.values().iterator().next(); // nothing answered at all
            }
            if (warn != null) {
                failed.forEach((kind, e) -> warn.println("warning: the " + kind + " runtime is unavailable, so its"
                        + " workloads are not shown: " + e.getMessage()));
                warn.flush();
            }
            return observed();
        }
    }
}
