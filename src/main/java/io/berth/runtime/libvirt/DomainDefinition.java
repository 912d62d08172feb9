package io.berth.runtime.libvirt;

import io.berth.manifest.Redaction;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeFailure;

import java.util.List;

/** The domain definition of a create: checked before anything touches the host, defined as its last step. */
final class DomainDefinition {

    private DomainDefinition() {
    }

    /** Defines the domain, the last step of create: nothing after it needs undoing. */
    static void define(Workload w, Ownership ownership, String type, List<String> notes, Redaction redaction, VmPaths paths,
                       LibvirtCalls calls, LibvirtConnection connection) {
        VmSpec spec = (VmSpec) w.spec();
        // Where this host already refused a hard limit at start (this boot), define without one and
        // set it live after start: the refused start alone costs QEMU's whole launch (~2 s).
        boolean refuses = HostFacts.refusesMemtuneAtStart(paths.stateDir());
        if (refuses) {
            notes.add(DomainStarter.LIVE_HARD_LIMIT_NOTE);
        }
        DomainXml.Choices choices = new DomainXml.Choices(null, type, paths, !refuses, spec.cloudInit() != null, 0, notes);
        String xml = DomainXml.build(redaction.redact(w), ownership, choices);
        calls.run(w.name(), "define domain", () -> connection.get().domainDefineXML(xml));
    }

    /**
     * Builds the XML once before anything touches the host, so text that XML cannot carry (a
     * source path with control characters, say) fails cleanly instead of leaving a disk behind.
     */
    static void checkWritable(Workload w, Ownership ownership, Redaction redaction, VmPaths paths) {
        try {
            DomainFacts.parse(DomainXml.build(redaction.redact(w), ownership, new DomainXml.Choices(null, "qemu", paths, true,
                    false, 0, List.of())));
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(w.name(), w.name() + ": cannot be described to libvirt: " + e.getMessage()
                    + " (labels, source path and agent name must be printable text)", e);
        }
    }
}
