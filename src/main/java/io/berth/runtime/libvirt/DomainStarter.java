package io.berth.runtime.libvirt;

import io.berth.manifest.Redaction;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.OwnershipLabels;
import io.berth.runtime.RuntimeFailure;
import org.libvirt.Domain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a domain under its memory hard limit. Hosts without CAP_SYS_RESOURCE refuse a domain
 * defined with a hard limit at start ("cannot limit locked memory"); there the domain is
 * redefined without one, started, and the limit set live right after, and a note says so. The
 * refusal is remembered for this boot ({@link HostFacts}), so later domains are defined without a
 * hard limit from the start and do not pay for a refused launch. Thread-safe.
 */
final class DomainStarter {

    static final String LIVE_HARD_LIMIT_NOTE =
            "memory hard limit set live after start: this host refuses it at start (no CAP_SYS_RESOURCE)";

    private final LibvirtCalls calls;
    private final LibvirtConnection connection;
    private final DomainObserver observer;
    private final VmPaths paths;
    /** Where libvirt's system instance writes each domain's QEMU log. */
    static final Path QEMU_LOGS = Path.of("/var/log/libvirt/qemu");

    private final Redaction redaction;

    DomainStarter(LibvirtCalls calls, LibvirtConnection connection, DomainObserver observer, VmPaths paths,
                  Redaction redaction) {
        this.redaction = redaction;
        this.calls = calls;
        this.connection = connection;
        this.observer = observer;
        this.paths = paths;
    }

    /** Starts this agent's domain; idempotent on a running one. Returns notes for the operator. */
    List<String> start(String name) {
        Domain d = observer.owned(name);
        if (calls.call(name, "read domain state", d::isActive) == 1) {
            return List.of();
        }
        try {
            calls.run(name, "start domain", d::create);
        } catch (RuntimeFailure e) {
            if (!refusedMemtune(e) && !refusedMemtuneSaysItsLog(e, OwnershipLabels.objectName(name))) {
                throw e;
            }
            return startWithLiveHardLimit(name, d, e.getMessage());
        }
        DomainFacts config = observer.persistent(name, d);
        if (config.hardLimitKiB() == 0) {
            // Defined without one because this host refuses it at start: set it live.
            setHardLimit(name, d, DomainXml.hardLimitKiB(config.memoryKiB(), config.domainType()));
            return List.of(LIVE_HARD_LIMIT_NOTE);
        }
        return List.of();
    }

    /** The host refused the hard limit at start (no CAP_SYS_RESOURCE): start without, set it live. */
    private List<String> startWithLiveHardLimit(String name, Domain d, String refusal) {
        DomainFacts f = observer.persistent(name, d);
        Workload w = DomainObserver.applied(f);
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
        String xml = DomainXml.build(redaction.redact(w), ownership, new DomainXml.Choices(uuid, f.domainType(), paths, false,
                Files.exists(paths.seed(name)), f.memoryKiB(), notes));
        calls.run(name, "redefine domain", () -> connection.get().domainDefineXML(xml));
        Domain fresh = observer.owned(name);
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

    /**
     * libvirt may answer only "Process exited prior to exec" when QEMU's child failed between
     * fork and exec (seen under load): the reason is then in the domain's QEMU log, whose last
     * lines say whether it was the locked-memory limit.
     */
    static boolean refusedMemtuneSaysItsLog(RuntimeFailure e, String domain) {
        return refusedMemtuneSaysItsLog(e, QEMU_LOGS.resolve(domain + ".log"));
    }

    static boolean refusedMemtuneSaysItsLog(RuntimeFailure e, Path log) {
        if (!String.valueOf(e.getMessage()).contains("exited prior to exec")) {
            return false;
        }
        try {
            String text = Files.readString(log);
            String tail = text.substring(Math.max(0, text.length() - 4096));
            int lastStart = tail.lastIndexOf("starting up");
            return (lastStart < 0 ? tail : tail.substring(lastStart)).contains("cannot limit locked memory");
        } catch (IOException | RuntimeException ex) {
            return false;
        }
    }

    static boolean refusedMemtune(RuntimeFailure e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("locked memory") || m.contains("RLIMIT_MEMLOCK") || m.contains("hard_limit");
    }
}
