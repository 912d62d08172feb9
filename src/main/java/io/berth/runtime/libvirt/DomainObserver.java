package io.berth.runtime.libvirt;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Kind;
import io.berth.manifest.Origin;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.WorkloadState;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds this agent's domains and reads them into Berth's {@link Observed}, always from libvirt
 * (never from our own manifests). A domain is ours only when its Berth metadata says managed, this
 * agent and the same name: a hand-made {@code berth-x} or another agent's is never listed, changed
 * or removed. Thread-safe; every call is bounded by {@link LibvirtCalls}.
 */
final class DomainObserver {

    static final String PREFIX = io.berth.runtime.OwnershipLabels.OBJECT_PREFIX;
    static final int XML_INACTIVE = 2;

    /** What a domain is to this agent, as far as libvirt can still tell. */
    enum Owner { OURS, FOREIGN, GONE }

    private final String agent;
    private final LibvirtCalls calls;
    private final LibvirtConnection connection;

    DomainObserver(String agent, LibvirtCalls calls, LibvirtConnection connection) {
        this.agent = agent;
        this.calls = calls;
        this.connection = connection;
    }

    List<Observed> list() {
        Domain[] domains = calls.call("libvirt", "list domains", () -> connection.get().listAllDomains(0));
        List<Observed> out = new ArrayList<>();
        for (Domain d : domains) {
            String name = calls.call("libvirt", "domain name", d::getName);
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            observe(name.substring(PREFIX.length()), d).ifPresent(out::add);
        }
        return out;
    }

    Optional<Domain> lookup(String name) {
        try {
            return Optional.of(calls.call(name, "look up domain",
                    () -> connection.get().domainLookupByName(DomainXml.domainName(name))));
        } catch (RuntimeFailure e) {
            if (LibvirtCalls.isNoDomain(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The domain, if it is this agent's; otherwise a failure naming the workload. */
    Domain owned(String name) {
        return ownedIfPresent(name).orElseThrow(() -> new RuntimeFailure(name,
                name + ": no domain managed by Berth for this agent (" + DomainXml.domainName(name) + ")"));
    }

    Optional<Domain> ownedIfPresent(String name) {
        return lookup(name).filter(d -> observe(name, d).isPresent());
    }

    /** Whose domain {@code berth-NAME} is, with one read of its XML (for filtering events). */
    Owner owner(String name) {
        Optional<Domain> d = lookup(name);
        if (d.isEmpty()) {
            return Owner.GONE;
        }
        try {
            DomainFacts f = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.get().getXMLDesc(0)));
            return ours(name, f) ? Owner.OURS : Owner.FOREIGN;
        } catch (RuntimeFailure e) {
            if (LibvirtCalls.isNoDomain(e)) {
                return Owner.GONE;
            }
            throw e;
        }
    }

    private boolean ours(String name, DomainFacts f) {
        return f.managed() && agent.equals(f.agent()) && name.equals(f.name());
    }

    /** Ours only: the metadata must say managed, this agent, and the same name. */
    Optional<Observed> observe(String name, Domain d) {
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
        if (!ours(name, f)) {
            return Optional.empty();
        }
        String uuid = calls.call(name, "read domain uuid", d::getUUIDString);
        // Memory as configured, from the persistent definition: a running domain's live
        // <currentMemory> only moves once the guest's balloon driver answers, so a guest without
        // one would otherwise show a limit change as pending forever.
        DomainFacts config = info.state == DomainInfo.DomainState.VIR_DOMAIN_SHUTOFF ? f : persistent(name, d);
        long memory = config.currentKiB() * 1024;
        Workload applied = applied(f);
        return Optional.of(new Observed(name, Kind.VirtualMachine, uuid, state(info.state), null, false, f.source(),
                f.agent(), f.specHash(), applied, new ObservedLimits(f.cpuMillis(), memory, memory, 0,
                config.memoryKiB() * 1024), f.notes(), null, applied == null ? unreadable(f) : null));
    }

    /** The persistent definition (what the domain starts with next time), not the live one. */
    DomainFacts persistent(String name, Domain d) {
        return DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(XML_INACTIVE)));
    }

    /** The spec Berth recorded on the domain when it defined it, or null if unreadable. */
    static Workload applied(DomainFacts f) {
        if (f.specJson() == null) {
            return null;
        }
        try {
            return CanonicalForm.fromJson(f.specJson(), new Origin(Path.of("<domain metadata>"), 1, 1));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Why {@link #applied} found no spec, in words for the event and the plan. */
    static String unreadable(DomainFacts f) {
        if (f.specJson() == null) {
            return "the domain's Berth metadata has no <berth:spec>";
        }
        try {
            CanonicalForm.fromJson(f.specJson(), new Origin(Path.of("<berth:spec>"), 1, 1));
            return null;
        } catch (RuntimeException e) {
            String m = String.valueOf(e.getMessage()).strip();
            return m.lines().findFirst().orElse(m);
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
}
