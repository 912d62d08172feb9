package io.berth.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import io.berth.manifest.ContainerSpec;
import io.berth.manifest.Kind;
import io.berth.manifest.Redaction;
import io.berth.manifest.Resources;
import io.berth.manifest.Workload;
import io.berth.runtime.Capabilities;
import io.berth.runtime.EventSource;
import io.berth.runtime.LogSource;
import io.berth.runtime.LeftoverTask;
import io.berth.runtime.NameTaken;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.OwnershipLabels;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.UsageSource;
import io.berth.runtime.WorkloadState;
import io.berth.util.DaemonThreads;
import io.berth.util.StopSignal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The Docker Engine runtime (docker-java over the engine's socket). Thread-safe. Only containers
 * labelled {@code io.berth.managed=true} and {@code io.berth.agent=<this agent>} are ever listed,
 * changed or removed; a same-named container without those labels makes create fail instead.
 */
public final class DockerRuntime implements Runtime, EventSource, LogSource, UsageSource {

    static final int INSPECTS = 8;
    /** Docker's own default stop timeout, for the recreate of a limit change on Podman. */
    static final Duration PODMAN_RECREATE_GRACE = Duration.ofSeconds(10);

    /** The engine's clients, at the API version negotiated with it on first use. */
    private final DockerClients clients;
    private final String agent;
    private final DockerErrors errors;
    private final ExecutorService io = DaemonThreads.cached("docker-io");
    /**
     * The list's inspects, at most {@value #INSPECTS} at once: each holds one of docker-java's pooled
     * connections, so an unbounded fan-out kept one connection and one thread per container open
     * after every list (bench/soak saw the daemon's fds follow the container count).
     */
    private final ExecutorService inspects = DaemonThreads.bounded("docker-inspect", INSPECTS);
    private volatile Capabilities capabilities;
    private final Redaction redaction;
    private final DockerNetworks networks;
    private final ContainerNetworks attach;
    private final ImagePulls pulls;
    private final HostSecrets secrets;

    /**
     * A runtime for this agent on the engine named by DOCKER_HOST (default: the local socket),
     * recording specs with {@code redaction}.
     */
    public DockerRuntime(String agent, Redaction redaction) {
        this(agent, DockerClients.host(), redaction);
    }

    public DockerRuntime(String agent, String dockerHost, Redaction redaction) {
        this.redaction = redaction;
        this.clients = new DockerClients(dockerHost);
        this.errors = new DockerErrors(dockerHost, clients::engineLost);
        this.agent = agent;
        this.networks = new DockerNetworks(clients::requests, errors, agent);
        this.attach = new ContainerNetworks(clients::requests, errors);
        this.pulls = new ImagePulls(clients::requests, errors);
        this.secrets = new HostSecrets(agent);
    }

    /** Image pulls report their progress to {@code watcher} from now on (must not block). */
    public void reportPullsTo(Consumer<io.berth.images.ImageProgress> watcher) {
        pulls.reportTo(watcher);
    }

    /** This agent's networks on the same engine (kind: Network). */
    public io.berth.runtime.Networks networks() {
        return networks;
    }

    @Override
    public Kind kind() {
        return Kind.Container;
    }

    @Override
    public Capabilities capabilities() {
        Capabilities c = capabilities;
        if (c == null) {
            DockerClients.Negotiated n = errors.call("docker", "version", clients::negotiated);
            Version v = n.engine();
            Info info = errors.call("docker", "info", () -> docker().infoCmd().exec());
            List<String> details = new ArrayList<>();
            List<String> warnings = new ArrayList<>(n.warnings());
            String podman = Podman.version(v);
            if (podman != null) {
                details.add("Podman " + podman + " (its Docker-compatible API)");
                if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of("/run/systemd/system"))) {
                    warnings.add("health checks do not run: Podman runs them from systemd timers and this host runs no systemd");
                }
            }
            details.add("Engine API " + n.api() + " (the engine offers " + v.getMinAPIVersion() + " to " + v.getApiVersion() + ")");
            Object cgroup = info.getRawValues().get("CgroupVersion");
            details.add("cgroup v" + (cgroup == null ? "1" : cgroup) + " (" + info.getRawValues().get("CgroupDriver") + ")");
            if (Boolean.FALSE.equals(info.getRawValues().get("MemoryLimit"))) {
                warnings.add("the kernel does not enforce memory limits");
            }
            if (Boolean.FALSE.equals(info.getRawValues().get("CpuCfsQuota"))) {
                warnings.add("the kernel does not enforce CPU quotas");
            }
            if (secrets.warning() != null) {
                warnings.add(secrets.warning());
            }
            if (Boolean.FALSE.equals(info.getRawValues().get("SwapLimit"))) {
                warnings.add("no swap accounting: swap is not limited");
            }
            c = new Capabilities("docker", v.getVersion(), n.api(), details, warnings);
            capabilities = c;
        }
        return c;
    }

    @Override
    public List<Observed> list() {
        List<Container> containers = errors.call("docker", "list containers", () -> docker().listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(OwnershipLabels.MANAGED, "true", OwnershipLabels.AGENT, agent))
                .exec());
        // Inspect in parallel: the list answer lacks the enforced limits and exit details.
        List<Future<Optional<Observed>>> inspections = new ArrayList<>();
        for (Container c : containers) {
            inspections.add(inspects.submit(() -> inspectId(c.getId())));
        }
        List<Observed> result = new ArrayList<>();
        for (Future<Optional<Observed>> f : inspections) {
            join(f).ifPresent(result::add);
        }
        return result;
    }

    @Override
    public Optional<Observed> inspect(String name) {
        return inspectId(OwnershipLabels.objectName(name))
                .filter(o -> name.equals(o.name()));
    }

    private Optional<Observed> inspectId(String idOrName) {
        try {
            var response = errors.call(idOrName, "inspect", () -> docker().inspectContainerCmd(idOrName).exec());
            Map<String, String> labels = response.getConfig().getLabels();
            if (labels == null || !"true".equals(labels.get(OwnershipLabels.MANAGED))
                    || !agent.equals(labels.get(OwnershipLabels.AGENT))) {
                return Optional.empty(); // not ours: never touched
            }
            return Optional.of(ContainerObserver.observe(response, Podman.version(clients.negotiated().engine())));
        } catch (RuntimeFailure e) {
            if (DockerErrors.isNotFound(e.getCause())) {
                return Optional.empty(); // removed between list and inspect
            }
            throw e;
        }
    }

    @Override
    public List<String> create(Workload workload, Ownership ownership) {
        ContainerSpec spec = (ContainerSpec) workload.spec();
        ensureImage(workload.name(), spec);
        DockerClient docker = errors.call(workload.name(), "create container", clients::requests);
        // Written before the create (the mounts need their sources) and removed again if it fails.
        List<com.github.dockerjava.api.model.Mount> secretMounts = secrets.write(workload);
        try (CreateContainerCmd cmd = docker.createContainerCmd(spec.image())) {
            ContainerMapper.applyTo(cmd, workload, ownership, redaction, secretMounts);
            String id = errors.call(workload.name(), "create container", cmd::exec).getId();
            return attach.joinRest(workload.name(), id, spec.networks(), () -> remove(workload.name(), true));
        } catch (RuntimeFailure e) {
            if (!secretMounts.isEmpty() && inspect(workload.name()).isEmpty()) {
                secrets.remove(workload.name());
            }
            if (DockerErrors.isConflict(e.getCause()) && inspect(workload.name()).isPresent()) {
                // Ours: an interrupted or concurrent apply created it after we listed. Say so; the
                // next apply plans it like any other (creation still never overwrites).
                throw new RuntimeFailure(workload.name(), workload.name() + ": a container "
                        + OwnershipLabels.objectName(workload.name()) + " of this agent already exists; it appeared after planning"
                        + " (an interrupted or concurrent apply?); apply again to converge", e);
            }
            if (DockerErrors.isConflict(e.getCause())) {
                throw new NameTaken(workload.name(), workload.name() + ": a container named "
                        + OwnershipLabels.objectName(workload.name()) + " already exists and Berth did not create it"
                        + " for this agent; rename or remove it, or rename the workload", e);
            }
            throw e;
        }
    }

    private void ensureImage(String workload, ContainerSpec spec) {
        String image = spec.image();
        boolean present = imagePresent(workload, image);
        switch (spec.imagePullPolicy()) {
            case Never -> {
                if (!present) {
                    throw new RuntimeFailure(workload, workload + ": image " + image
                            + " is not present on this host and imagePullPolicy is Never");
                }
            }
            case IfNotPresent -> {
                if (!present) {
                    pulls.pull(workload, image);
                }
            }
            case Always -> pulls.pull(workload, image);
        }
    }

    private boolean imagePresent(String workload, String image) {
        try {
            errors.call(workload, "inspect image", () -> docker().inspectImageCmd(image).exec());
            return true;
        } catch (RuntimeFailure e) {
            if (DockerErrors.isNotFound(e.getCause())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The id of this agent's managed container with that name. Every mutating call goes through
     * here, so a same-named container that Berth did not create is never touched.
     */
    private Optional<String> ownedId(String name) {
        return inspect(name).map(Observed::runtimeId);
    }

    private String requireOwnedId(String name) {
        return ownedId(name).orElseThrow(() -> new RuntimeFailure(name, name
                + ": no container managed by Berth for this agent (" + OwnershipLabels.objectName(name) + ")"));
    }

    @Override
    public List<String> start(String name) {
        String id = requireOwnedId(name);
        try {
            errors.run(name, "start", () -> docker().startContainerCmd(id).exec());
        } catch (RuntimeFailure e) {
            if (DockerErrors.isLeftoverTask(e.getCause())) {
                throw new LeftoverTask(name, e.getMessage() + " (the engine still holds a task of this container"
                        + " from before it restarted)", e);
            }
            if (!(e.getCause() instanceof NotModifiedException)) { // 304: already running
                throw e;
            }
        }
        return List.of();
    }

    @Override
    public void updateLimits(String name, Resources r) {
        String id = requireOwnedId(name);
        String podman = Podman.version(errors.call(name, "update limits", clients::negotiated).engine());
        if (podman != null) {
            errors.run(name, "update limits", () -> Podman.updateLimits(docker(), podman, id, r));
            return;
        }
        errors.run(name, "update limits", () -> docker().updateContainerCmd(id)
                .withNanoCPUs(ContainerMapper.nanoCpus(r))
                .withMemory(r.limits().memoryBytes())
                .withMemorySwap(r.limits().memoryBytes())
                .withPidsLimit(r.pids())
                .exec());
    }

    /**
     * Podman 4.3 cannot change limits in place for good: its update (what {@link #updateLimits}
     * uses there) fails on a stopped container and is lost when the container next starts, and its
     * inspect never shows it (containers/podman#17187). So on Podman the container is recreated
     * with the new limits (named volumes are kept, as on every recreate), started again if it ran.
     */
    @Override
    public List<String> update(Workload desired) {
        String podman = Podman.version(errors.call(desired.name(), "update limits", clients::negotiated).engine());
        if (podman == null) {
            updateLimits(desired.name(), desired.resources());
            var now = errors.call(desired.name(), "inspect", () -> docker().inspectContainerCmd(requireOwnedId(desired.name())).exec());
            return attach.sync(desired.name(), now.getId(), ContainerNetworks.attached(now, desired.name()),
                    ((ContainerSpec) desired.spec()).networks());
        }
        Observed was = inspect(desired.name()).orElseThrow(() -> new RuntimeFailure(desired.name(), desired.name()
                + ": no container managed by Berth for this agent (" + OwnershipLabels.objectName(desired.name()) + ")"));
        stop(desired.name(), PODMAN_RECREATE_GRACE);
        remove(desired.name(), true);
        create(desired, new Ownership(was.agent(), was.source()));
        if (was.state() == WorkloadState.Running) {
            start(desired.name());
        }
        return List.of("recreated with the new limits: Podman " + podman + " cannot change them in place for good"
                + " (its update is lost on the next start: containers/podman#17187)");
    }

    @Override
    public void stop(String name, Duration grace) {
        Optional<String> id = ownedId(name);
        if (id.isEmpty()) {
            return;
        }
        try {
            errors.run(name, "stop", () -> docker().stopContainerCmd(id.get())
                    .withTimeout((int) Math.max(0, grace.toSeconds())).exec());
        } catch (RuntimeFailure e) {
            if (!(e.getCause() instanceof NotModifiedException) && !DockerErrors.isNotFound(e.getCause())) {
                throw e;
            }
        }
    }

    @Override
    public void remove(String name, boolean keepData) {
        Optional<String> id = ownedId(name);
        if (id.isEmpty()) {
            secrets.remove(name); // a create that failed half-way, or files outliving their container
            return;
        }
        try {
            // Named volumes are kept, as with `docker compose down` without -v: data outlives the container.
            errors.run(name, "remove", () -> docker().removeContainerCmd(id.get())
                    .withForce(true).withRemoveVolumes(false).exec());
        } catch (RuntimeFailure e) {
            if (!DockerErrors.isNotFound(e.getCause())) {
                throw e;
            }
        }
        // Copies of the user's files, not data: they go with the container (a recreate writes them anew).
        secrets.remove(name);
    }

    /**
     * Docker's event stream filtered to this agent's containers. The stream ends when dockerd
     * stops; it is reopened with a capped backoff, and {@code onReconnect} tells the caller that
     * events may have been missed.
     */
    @Override
    public AutoCloseable watch(Consumer<String> onName, Runnable onReconnect) {
        ContainerEvents events = new ContainerEvents(clients::streams, agent, onName, onReconnect);
        io.submit(events);
        return events;
    }

    /** Called inside {@code errors.call}: a failed negotiation is reported like any failed call. */
    private DockerClient docker() {
        return clients.requests();
    }

    @Override
    public void logs(String name, int tail, boolean follow, java.io.OutputStream out, StopSignal stop) {
        String id = requireOwnedId(name);
        ContainerLogs.copy(errors.call(name, "read logs", clients::streams), id, tail, follow, out, stop,
                action -> errors.run(name, "read logs", action));
    }

    @Override
    public void close() {
        io.shutdownNow();
        inspects.shutdownNow();
        clients.close();
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A container is counted by its cgroup, found by its id. */
    @Override
    public Optional<Target> usageTarget(Observed running) {
        return Optional.of(new Target.Container(running.runtimeId()));
    }
}
