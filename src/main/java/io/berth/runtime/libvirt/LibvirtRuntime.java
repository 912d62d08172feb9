package io.berth.runtime.libvirt;

import io.berth.images.ImageDownloads;
import io.berth.manifest.HostPolicy;
import io.berth.manifest.ImageUrl;
import io.berth.manifest.Kind;
import io.berth.manifest.Redaction;
import io.berth.util.HostKey;
import io.berth.manifest.Resources;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Capabilities;
import io.berth.runtime.EventSource;
import io.berth.runtime.KeptData;
import io.berth.runtime.LogSource;
import io.berth.runtime.NameTaken;
import io.berth.runtime.Observed;
import io.berth.runtime.Ownership;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.Snapshots;
import io.berth.runtime.UsageSource;
import io.berth.util.DaemonThreads;
import io.berth.util.StopSignal;
import io.berth.util.Reverter;
import org.libvirt.Domain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * The libvirt runtime: each VirtualMachine workload is a persistent domain {@code berth-NAME}
 * carrying Berth's metadata, with a copy-on-write disk under the state directory. Thread-safe
 * (libvirt connections are); the connection is opened on first use and again after libvirtd
 * restarts ({@link LibvirtConnection}).
 *
 * <p>Hard limits: the domain's CPU time is capped at exactly {@code limits.cpu} cores and its
 * QEMU process by a memtune hard limit with headroom ({@link VmOverhead}, {@link DomainStarter}).
 * Reading domains back is {@link DomainObserver}'s; lifecycle events are {@link DomainEvents}'.
 */
public final class LibvirtRuntime implements Runtime, EventSource, LogSource, UsageSource, KeptData, Snapshots,
        io.berth.runtime.Backups {

    static final Duration POLL = Duration.ofMillis(200);

    private final String uri;
    private final VmPaths paths;
    private final LibvirtCalls calls;
    private final LibvirtConnection connection;
    private final DomainObserver observer;
    private final DomainStarter starter;
    private final DomainUpdater updater;
    private final KeptDisks kept;
    private final VmSnapshots snapshots;
    private final VmBackups backups;
    private final HostPolicy policy;
    private final ExecutorService watchThreads = DaemonThreads.cached("libvirt-events");
    private final Set<DomainEvents> watches = ConcurrentHashMap.newKeySet();
    private volatile HypervisorProbe.Result probe;
    private final Path probeKernel;
    private final Redaction redaction;
    private final ImageDownloads downloads;

    /** Base images checked against the environment's image directories (BERTH_IMAGE_DIRS); secrets under STATE's host key. */
    public LibvirtRuntime(String agent, String uri, Path stateDir) {
        this(agent, uri, stateDir, HostPolicy.fromEnvironment(), new Redaction(new HostKey(stateDir)),
                new ImageDownloads(HostPolicy.fromEnvironment()));
    }

    /** Base images checked against the environment's image directories; secrets recorded under {@code redaction}. */
    public LibvirtRuntime(String agent, String uri, Path stateDir, Redaction redaction) {
        this(agent, uri, stateDir, HostPolicy.fromEnvironment(), redaction, new ImageDownloads(HostPolicy.fromEnvironment()));
    }

    /**
     * @param policy    where base images and every file of their backing chains may lie
     * @param redaction how secret spec values are recorded in the domains' metadata
     * @param downloads where base images named by URL are fetched to (before a create that needs one)
     */
    public LibvirtRuntime(String agent, String uri, Path stateDir, HostPolicy policy, Redaction redaction,
                          ImageDownloads downloads) {
        this.uri = uri;
        this.downloads = downloads;
        this.policy = policy;
        this.redaction = redaction;
        this.paths = new VmPaths(stateDir);
        this.calls = new LibvirtCalls(uri);
        this.connection = new LibvirtConnection(uri, calls);
        this.observer = new DomainObserver(agent, calls, connection);
        this.starter = new DomainStarter(calls, connection, observer, paths, redaction);
        this.updater = new DomainUpdater(calls, connection, observer, paths, redaction);
        this.kept = new KeptDisks(paths, java.time.Clock.systemUTC());
        this.snapshots = new VmSnapshots(calls, connection, observer, paths, new VmSnapshots.Lifecycle() {
            public void stop(String name, Duration grace) {
                LibvirtRuntime.this.stop(name, grace);
            }

            public List<String> start(String name) {
                return starter.start(name);
            }
        }, java.time.Clock.systemUTC());
        this.backups = new VmBackups(observer, snapshots, paths, java.time.Clock.systemUTC());
        this.probeKernel = Path.of(System.getenv().getOrDefault("BERTH_PROBE_KERNEL", stateDir.resolve("images/vmlinuz").toString()));
    }

    /**
     * Whether libvirt's client library is installed at all. A host without it simply has no VM
     * runtime (a container-only host); a host with it but without a running libvirtd has one that
     * is unavailable, which is reported.
     */
    public static boolean installed() {
        return LibvirtNative.libraryInstalled();
    }

    @Override
    public Kind kind() {
        return Kind.VirtualMachine;
    }

    /** Whether KVM really runs guests here; probed once per host boot and QEMU install (cached). */
    HypervisorProbe.Result hypervisor() {
        HypervisorProbe.Result r = probe;
        if (r == null) {
            r = HypervisorProbe.cached(paths.stateDir().resolve("hypervisor-probe"), probeKernel);
            probe = r;
        }
        return r;
    }

    @Override
    public Capabilities capabilities() {
        long lib = calls.call("libvirt", "version", () -> connection.get().getLibVersion());
        long hv = calls.call("libvirt", "version", () -> connection.get().getVersion());
        HypervisorProbe.Result kvm = hypervisor();
        List<String> warnings = kvm.kvm() ? List.of()
                : List.of("KVM cannot run guests here (" + kvm.reason() + "): hypervisor auto uses qemu (TCG, much slower)");
        return new Capabilities("libvirt", version(lib), "qemu " + version(hv),
                List.of("kvm: " + (kvm.kvm() ? "yes" : "no") + " (" + kvm.reason() + ")"), warnings);
    }

    private static String version(long v) {
        return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
    }

    @Override
    public List<Observed> list() {
        return observer.list();
    }

    @Override
    public Optional<Observed> inspect(String name) {
        return observer.lookup(name).flatMap(d -> observer.observe(name, d));
    }

    @Override
    public List<String> create(Workload w, Ownership ownership) {
        if (observer.lookup(w.name()).isPresent()) {
            String why = w.name() + ": a domain named " + DomainXml.domainName(w.name())
                    + " already exists; Berth never overwrites a domain (remove it, or rename the workload)";
            // Anyone else's: retrying cannot help. Ours (it appeared after planning), gone again, or
            // unreadable: the next reconcile sees it as it is.
            throw foreign(w.name()) ? new NameTaken(w.name(), why) : new RuntimeFailure(w.name(), why);
        }
        VmSpec spec = (VmSpec) w.spec();
        DomainDefinition.checkWritable(w, ownership, redaction, paths);
        List<String> notes = new ArrayList<>();
        String type = switch (spec.hypervisor()) {
            case kvm -> "kvm";
            case qemu -> "qemu";
            case auto -> {
                HypervisorProbe.Result kvm = hypervisor();
                if (kvm.kvm()) {
                    yield "kvm";
                }
                notes.add("hypervisor auto chose qemu (TCG, much slower than KVM): " + kvm.reason());
                yield "qemu";
            }
        };
        // A disk restored from a backup stands alone: no base or source snapshot is needed to keep it.
        boolean restored = Files.exists(paths.restored(w.name())) && Files.exists(paths.disk(w.name()));
        // Before anything else is made: a download that fails leaves no VM directory, disk or domain.
        Path base = restored ? null : spec.disk().from() != null ? VmSnapshots.sourceLayer(paths, w.name(), spec.disk().from())
                : spec.disk().url() == null ? Path.of(spec.disk().image()).toAbsolutePath().normalize()
                : fetch(w.name(), spec.disk().url(), notes);
        try {
            paths.prepare(w.name());
        } catch (java.io.IOException e) {
            throw new RuntimeFailure(w.name(), w.name() + ": cannot create " + paths.dir(w.name()) + ": " + e.getMessage(), e);
        }
        try (Reverter revert = new Reverter()) {
            // A disk that was there before is the data a recreate keeps: only a disk made here is undone.
            Path disk = paths.disk(w.name());
            boolean hadDisk = Files.exists(disk);
            notes.addAll(restored ? DiskImages.keepRestored(w.name(), disk, spec.disk().sizeBytes())
                    : spec.disk().from() != null
                    ? DiskImages.prepareCopy(w.name(), base, spec.disk().source(), spec.disk().sizeBytes(), disk)
                    : DiskImages.prepare(w.name(), base, spec.disk().sizeBytes(), disk, policy));
            if (!hadDisk && !kept.list(w.name()).isEmpty()) {
                // Never reused silently: a new VM of an old name starts clean, and the operator is told.
                notes.add("started from a new clone; a disk of an earlier " + w.name() + " is kept under "
                        + kept.root().resolve(w.name()) + " (agent restore " + w.name() + " --deleted brings it back)");
            }
            if (!hadDisk) {
                revert.add(() -> DiskImages.delete(disk));
            }
            if (spec.cloudInit() != null) {
                CloudInitSeed.write(w, spec.cloudInit().userData(), paths.seed(w.name()));
                revert.add(() -> DiskImages.delete(paths.seed(w.name())));
            }
            DomainDefinition.define(w, ownership, type, notes, redaction, paths, calls, connection);
            revert.success();
        }
        return notes;
    }

    /** The base image of a URL, downloaded and verified now unless it already is. */
    private Path fetch(String name, ImageUrl url, List<String> notes) {
        boolean there = Files.isRegularFile(downloads.target(url));
        try {
            Path base = downloads.fetch(name, url);
            notes.add((there ? "base image " + url.url() + " already downloaded: " : "downloaded " + url.url() + " to ") + base);
            return base;
        } catch (ImageDownloads.Failed e) {
            throw new RuntimeFailure(name, e.getMessage(), e);
        }
    }

    private boolean foreign(String name) {
        try {
            return observer.owner(name) == DomainObserver.Owner.FOREIGN;
        } catch (RuntimeFailure e) {
            return false;
        }
    }

    /** Finishes or rolls back a snapshot operation a kill interrupted first, so it boots the right disk. */
    @Override
    public List<String> start(String name) {
        List<String> notes = new ArrayList<>(snapshots.settle(name, observer.owned(name)));
        notes.addAll(starter.start(name));
        return notes;
    }

    @Override
    public Snapshots.Done createSnapshot(String name, String snapshot, Snapshots.MadeBy madeBy) {
        return snapshots.create(name, snapshot, madeBy);
    }

    @Override
    public List<Snapshots.Snapshot> snapshots(String name) {
        return snapshots.list(name);
    }

    @Override
    public Snapshots.Done restoreSnapshot(String name, String snapshot, Duration grace) {
        return snapshots.restore(name, snapshot, grace);
    }

    @Override
    public Snapshots.Done deleteSnapshot(String name, String snapshot) {
        return snapshots.delete(name, snapshot);
    }

    @Override public Exported exportData(String name, Path out) { return backups.export(name, out); }

    @Override public List<Path> importData(String name, String origin, DataWriter w) { return backups.importDisk(name, origin, w); }

    @Override
    public void updateLimits(String name, Resources r) {
        updater.updateLimits(name, r);
    }

    /** Limits, and a larger disk (live when the domain runs): {@link DomainUpdater}. */
    @Override
    public List<String> update(Workload desired) {
        return updater.update(desired);
    }

    @Override
    public void stop(String name, Duration grace) {
        Optional<Domain> found = observer.ownedIfPresent(name);
        if (found.isEmpty()) {
            return;
        }
        Domain d = found.get();
        if (calls.call(name, "read domain state", d::isActive) != 1) {
            return;
        }
        try {
            calls.run(name, "shut down domain", () -> {
                d.shutdown();
                return null;
            });
        } catch (RuntimeFailure e) {
            // No ACPI in the guest: fall through to destroy after the grace period anyway.
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && calls.call(name, "read domain state", d::isActive) == 1) {
            sleep(POLL);
        }
        if (calls.call(name, "read domain state", d::isActive) == 1) {
            calls.run(name, "destroy domain", () -> {
                d.destroy();
                return null;
            });
        }
    }

    /**
     * Destroys and undefines the domain. Its disk and console log stay where they are for the
     * replacement ({@code keepData}) or are moved aside to {@link KeptDisks} — before the undefine,
     * so a failure leaves the domain defined with its disk — never deleted.
     */
    @Override
    public void remove(String name, boolean keepData) {
        Optional<Domain> found = observer.ownedIfPresent(name);
        if (found.isEmpty()) {
            return;
        }
        Domain d = found.get();
        if (calls.call(name, "read domain state", d::isActive) == 1) {
            calls.run(name, "destroy domain", () -> {
                d.destroy();
                return null;
            });
        }
        if (!keepData) {
            kept.keep(name);
        }
        calls.run(name, "undefine domain", () -> {
            d.undefine();
            return null;
        });
        // The seed is made from the spec at every create: no data of the guest's.
        DiskImages.delete(paths.seed(name));
    }

    @Override
    public List<KeptData.Kept> kept(String name) {
        return kept.list(name);
    }

    /** Refused while any domain {@code berth-NAME} exists (ours with its own disk, or anyone's). */
    @Override
    public KeptData.Kept restoreDeleted(String name, String stamp) {
        if (observer.lookup(name).isPresent()) {
            throw new RuntimeFailure(name, name + ": a domain " + DomainXml.domainName(name) + " exists with its own"
                    + " disk; a restore never replaces a disk (delete the workload first: its disk is kept too)");
        }
        return kept.restore(name, stamp);
    }

    @Override
    public List<KeptData.Kept> sweep(java.time.Instant now, Duration retention) {
        return kept.sweep(now, retention);
    }

    /** The serial console, from the file QEMU writes ({@code VmPaths.console}). */
    @Override
    public void logs(String name, int tail, boolean follow, java.io.OutputStream out, StopSignal stop) {
        Domain d = observer.owned(name);
        try {
            ConsoleLog.copy(paths.console(name), tail, follow,
                    () -> calls.call(name, "read domain state", d::isActive) == 1, stop, out);
        } catch (java.io.IOException e) {
            throw new RuntimeFailure(name, name + ": cannot read its console log " + paths.console(name) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * libvirt's lifecycle events of this agent's domains, on a connection of their own
     * ({@link DomainEvents}). Reconnects after libvirtd restarts; {@code onReconnect} then tells
     * the caller that events may have been missed. Closing the handle (or this runtime) stops it.
     */
    @Override
    public AutoCloseable watch(Consumer<String> onName, Runnable onReconnect) {
        DomainEvents events = new DomainEvents(uri, calls, observer::owner, onName, onReconnect);
        watches.add(events);
        watchThreads.execute(events);
        return () -> {
            watches.remove(events);
            events.close();
        };
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        watches.forEach(DomainEvents::close);
        watches.clear();
        watchThreads.shutdownNow();
        connection.close();
        calls.close();
    }

    /** A running VM is its QEMU process. */
    @Override
    public Optional<Target> usageTarget(Observed running) {
        java.util.OptionalLong pid = QemuPids.of(running.name());
        return pid.isPresent() ? Optional.of(new Target.Process(pid.getAsLong())) : Optional.empty();
    }
}
