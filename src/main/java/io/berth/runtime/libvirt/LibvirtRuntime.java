package io.berth.runtime.libvirt;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Kind;
import io.berth.manifest.Origin;
import io.berth.manifest.Resources;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Capabilities;
import io.berth.runtime.LogSource;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.Ownership;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.WorkloadState;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.SchedLongParameter;
import org.libvirt.SchedParameter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The libvirt runtime: each VirtualMachine workload is a persistent domain {@code berth-NAME}
 * carrying Berth's metadata, with a copy-on-write disk under the state directory. Thread-safe
 * (libvirt connections are); the connection is opened on first use.
 *
 * <p>Hard limits: the domain's CPU time is capped at exactly {@code limits.cpu} cores and its
 * QEMU process by a memtune hard limit with headroom ({@link VmOverhead}). Hosts without
 * CAP_SYS_RESOURCE refuse a domain defined with a hard limit at start ("cannot limit locked
 * memory"); Berth then starts it without one and sets the limit live, and says so in a note.
 */
public final class LibvirtRuntime implements Runtime, LogSource {

    static final int XML_INACTIVE = 2;
    static final Duration POLL = Duration.ofMillis(200);
    static final String LIVE_HARD_LIMIT_NOTE =
            "memory hard limit set live after start: this host refuses it at start (no CAP_SYS_RESOURCE)";

    private final String agent;
    private final String uri;
    private final VmPaths paths;
    private final LibvirtCalls calls;
    private volatile Connect connection;
    private volatile HypervisorProbe.Result probe;
    private final Path probeKernel;

    public LibvirtRuntime(String agent, String uri, Path stateDir) {
        this.agent = agent;
        this.uri = uri;
        this.paths = new VmPaths(stateDir);
        this.calls = new LibvirtCalls(uri);
        this.probeKernel = Path.of(System.getenv().getOrDefault("BERTH_PROBE_KERNEL", stateDir.resolve("images/vmlinuz").toString()));
    }

    /**
     * Whether libvirt's client library is installed at all. A host without it simply has no VM
     * runtime (a container-only host); a host with it but without a running libvirtd has one that
     * is unavailable, which is reported.
     */
    public static boolean installed() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/lib64", "/lib", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/local/lib")) {
            if (Files.exists(Path.of(dir, "libvirt.so.0"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Kind kind() {
        return Kind.VirtualMachine;
    }

    private Connect conn() {
        Connect c = connection;
        if (c == null) {
            synchronized (this) {
                if (connection == null) {
                    try {
                        connection = calls.call("libvirt", "connect", () -> new Connect(uri));
                    } catch (RuntimeFailure e) {
                        throw calls.unavailable(e.getCause() == null ? e : e.getCause());
                    }
                }
                c = connection;
            }
        }
        return c;
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
        long lib = calls.call("libvirt", "version", () -> conn().getLibVersion());
        long hv = calls.call("libvirt", "version", () -> conn().getVersion());
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
        Domain[] domains = calls.call("libvirt", "list domains", () -> conn().listAllDomains(0));
        List<Observed> out = new ArrayList<>();
        for (Domain d : domains) {
            String name = calls.call("libvirt", "domain name", d::getName);
            if (!name.startsWith("berth-")) {
                continue;
            }
            observe(name.substring("berth-".length()), d).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Optional<Observed> inspect(String name) {
        return lookup(name).flatMap(d -> observe(name, d));
    }

    private Optional<Domain> lookup(String name) {
        try {
            return Optional.of(calls.call(name, "look up domain", () -> conn().domainLookupByName(DomainXml.domainName(name))));
        } catch (RuntimeFailure e) {
            if (LibvirtCalls.isNoDomain(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Ours only: the metadata must say managed, this agent, and the same name. */
    private Optional<Observed> observe(String name, Domain d) {
        DomainFacts f;
        DomainInfo info;
        try {
            f = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(0)));
            info = calls.call(name, "read domain state", d::getInfo);
        } catch (RuntimeFailure e) {
            if (LibvirtCalls.isNoDomain(e)) {
                return Optional.empty(); // undefined between list and read
            }
            throw e;
        }
        if (!f.managed() || !agent.equals(f.agent()) || !name.equals(f.name())) {
            return Optional.empty();
        }
        String uuid = calls.call(name, "read domain uuid", d::getUUIDString);
        // Memory as configured, from the persistent definition: a running domain's live
        // <currentMemory> only moves once the guest's balloon driver answers, so a guest without
        // one would otherwise show a limit change as pending forever.
        DomainFacts config = info.state == DomainInfo.DomainState.VIR_DOMAIN_SHUTOFF ? f
                : DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE)));
        long memory = config.currentKiB() * 1024;
        return Optional.of(new Observed(name, Kind.VirtualMachine, uuid, state(info.state), null, false, f.source(),
                f.agent(), f.specHash(), applied(f), new ObservedLimits(f.cpuMillis(), memory, memory, 0,
                config.memoryKiB() * 1024), f.notes()));
    }

    private static Workload applied(DomainFacts f) {
        if (f.specJson() == null) {
            return null;
        }
        try {
            return CanonicalForm.fromJson(f.specJson(), new Origin(Path.of("<domain metadata>"), 1, 1));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static WorkloadState state(DomainInfo.DomainState s) {
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED, VIR_DOMAIN_SHUTDOWN -> WorkloadState.Running;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> WorkloadState.Paused;
            case VIR_DOMAIN_SHUTOFF -> WorkloadState.Exited;
            case VIR_DOMAIN_CRASHED, VIR_DOMAIN_NOSTATE -> WorkloadState.Dead;
        };
    }

    @Override
    public List<String> create(Workload w, Ownership ownership) {
        if (lookup(w.name()).isPresent()) {
            throw new RuntimeFailure(w.name(), w.name() + ": a domain named " + DomainXml.domainName(w.name())
                    + " already exists; Berth never overwrites a domain (remove it, or rename the workload)");
        }
        VmSpec spec = (VmSpec) w.spec();
        checkWritable(w, ownership);
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
        notes.addAll(DiskImages.prepare(w.name(), Path.of(spec.disk().image()).toAbsolutePath().normalize(),
                spec.disk().sizeBytes(), paths.disk(w.name())));
        if (spec.cloudInit() != null) {
            CloudInitSeed.write(w, spec.cloudInit().userData(), paths.seed(w.name()));
        }
        // Where this host already refused a hard limit at start (this boot), define without one and
        // set it live after start: the refused start alone costs QEMU's whole launch (~2 s).
        boolean refuses = HostFacts.refusesMemtuneAtStart(paths.stateDir());
        if (refuses) {
            notes.add(LIVE_HARD_LIMIT_NOTE);
        }
        DomainXml.Choices choices = new DomainXml.Choices(null, type, paths, !refuses, spec.cloudInit() != null, 0, notes);
        String xml = DomainXml.build(w, ownership, choices);
        calls.run(w.name(), "define domain", () -> conn().domainDefineXML(xml));
        return notes;
    }

    /**
     * Builds the XML once before anything touches the host, so text that XML cannot carry (a
     * source path with control characters, say) fails cleanly instead of leaving a disk behind.
     */
    private void checkWritable(Workload w, Ownership ownership) {
        try {
            DomainFacts.parse(DomainXml.build(w, ownership, new DomainXml.Choices(null, "qemu", paths, true,
                    false, 0, List.of())));
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(w.name(), w.name() + ": cannot be described to libvirt: " + e.getMessage()
                    + " (labels, source path and agent name must be printable text)", e);
        }
    }

    @Override
    public List<String> start(String name) {
        Domain d = owned(name);
        if (calls.call(name, "read domain state", d::isActive) == 1) {
            return List.of();
        }
        try {
            calls.run(name, "start domain", d::create);
        } catch (RuntimeFailure e) {
            if (!refusedMemtune(e)) {
                throw e;
            }
            return startWithLiveHardLimit(name, d, e.getMessage());
        }
        DomainFacts config = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE)));
        if (config.hardLimitKiB() == 0) {
            // Defined without one because this host refuses it at start: set it live.
            setHardLimit(name, d, DomainXml.hardLimitKiB(config.memoryKiB(), config.domainType()));
            return List.of(LIVE_HARD_LIMIT_NOTE);
        }
        return List.of();
    }

    /** The host refused the hard limit at start (no CAP_SYS_RESOURCE): start without, set it live. */
    private List<String> startWithLiveHardLimit(String name, Domain d, String refusal) {
        DomainFacts f = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE)));
        Workload w = applied(f);
        if (w == null) {
            throw new RuntimeFailure(name, refusal);
        }
        HostFacts.rememberMemtuneRefusedAtStart(paths.stateDir());
        List<String> notes = new ArrayList<>(f.notes());
        String note = "memory hard limit set live after start: this host refused it at start ("
                + refusal.replace(name + ": start domain: ", "") + ")";
        notes.add(note);
        Ownership ownership = new Ownership(f.agent(), f.source());
        String uuid = calls.call(name, "read domain uuid", d::getUUIDString);
        String xml = DomainXml.build(w, ownership, new DomainXml.Choices(uuid, f.domainType(), paths, false,
                Files.exists(paths.seed(name)), f.memoryKiB(), notes));
        calls.run(name, "redefine domain", () -> conn().domainDefineXML(xml));
        Domain fresh = owned(name);
        calls.run(name, "start domain", fresh::create);
        setHardLimit(name, fresh, DomainXml.hardLimitKiB(f.memoryKiB(), f.domainType()));
        return List.of(note);
    }

    private void setHardLimit(String name, Domain d, long kib) {
        String error = calls.call(name, "set memory hard limit", () -> LibvirtNative.setHardLimitLive(d, kib));
        if (error != null) {
            throw new RuntimeFailure(name, name + ": the domain runs, but its memory hard limit could not be set: " + error);
        }
    }

    static boolean refusedMemtune(RuntimeFailure e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("locked memory") || m.contains("RLIMIT_MEMLOCK") || m.contains("hard_limit");
    }

    @Override
    public void updateLimits(String name, Resources r) {
        Domain d = owned(name);
        DomainFacts live = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(0)));
        Workload recorded = applied(live);
        if (recorded == null) {
            throw new RuntimeFailure(name, name + ": its recorded spec is unreadable; recreate it");
        }
        long cpu = r.limits().cpuMillis();
        long memKiB = r.limits().memoryBytes() / 1024;
        if (DomainXml.vcpus(cpu) != live.vcpus()) {
            throw new RuntimeFailure(name, name + ": cpu " + cpu + "m needs " + DomainXml.vcpus(cpu)
                    + " vCPUs but the domain has " + live.vcpus() + "; that needs a recreate");
        }
        if (memKiB > live.memoryKiB()) {
            throw new RuntimeFailure(name, name + ": memory above the domain's defined maximum needs a recreate");
        }
        boolean active = calls.call(name, "read domain state", d::isActive) == 1;
        Workload updated = recorded.withResources(r);
        if (active) {
            SchedLongParameter quota = new SchedLongParameter(DomainXml.quota(cpu));
            quota.field = "global_quota";
            calls.run(name, "set CPU quota", () -> {
                d.setSchedulerParameters(new SchedParameter[] {quota});
                return null;
            });
            if (memKiB != live.currentKiB()) {
                calls.run(name, "set memory (balloon)", () -> {
                    d.setMemory(memKiB);
                    return null;
                });
            }
        }
        // The persistent definition follows, so the limits survive a restart of the domain; its
        // recorded spec is refreshed too (libvirt metadata, unlike Docker labels, can change).
        DomainFacts persistent = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE)));
        String xml = DomainXml.build(updated, new Ownership(persistent.agent(), persistent.source()),
                new DomainXml.Choices(calls.call(name, "read domain uuid", d::getUUIDString), persistent.domainType(),
                        paths, persistent.hardLimitKiB() > 0,
                        Files.exists(paths.seed(name)), persistent.memoryKiB(), persistent.notes()));
        calls.run(name, "redefine domain", () -> conn().domainDefineXML(xml));
    }

    @Override
    public void stop(String name, Duration grace) {
        Optional<Domain> found = lookup(name).filter(d -> observe(name, d).isPresent());
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

    @Override
    public void remove(String name, boolean keepData) {
        Optional<Domain> found = lookup(name).filter(d -> observe(name, d).isPresent());
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
        calls.run(name, "undefine domain", () -> {
            d.undefine();
            return null;
        });
        DiskImages.delete(paths.seed(name));
        if (!keepData) {
            DiskImages.delete(paths.disk(name));
            DiskImages.delete(paths.console(name));
            paths.dir(name).toFile().delete();
        }
    }

    /** The serial console, from the file QEMU writes ({@code VmPaths.console}). */
    @Override
    public void logs(String name, int tail, boolean follow, java.io.OutputStream out) {
        Domain d = owned(name);
        try {
            ConsoleLog.copy(paths.console(name), tail, follow,
                    () -> calls.call(name, "read domain state", d::isActive) == 1, out);
        } catch (java.io.IOException e) {
            throw new RuntimeFailure(name, name + ": cannot read its console log " + paths.console(name) + ": "
                    + e.getMessage(), e);
        }
    }

    private Domain owned(String name) {
        return lookup(name).filter(d -> observe(name, d).isPresent()).orElseThrow(() -> new RuntimeFailure(name,
                name + ": no domain managed by Berth for this agent (" + DomainXml.domainName(name) + ")"));
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
        Connect c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (LibvirtException ignored) {
                // closing: nothing to recover
            }
        }
        calls.close();
    }
}
