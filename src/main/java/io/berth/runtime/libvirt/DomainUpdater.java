package io.berth.runtime.libvirt;

import io.berth.manifest.Redaction;

import io.berth.manifest.Quantities;
import io.berth.manifest.Resources;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeFailure;
import org.libvirt.Domain;
import org.libvirt.SchedLongParameter;
import org.libvirt.SchedParameter;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-place changes of a defined domain: CPU quota and memory (live through the scheduler and
 * the balloon) and a larger disk (live with {@code virDomainBlockResize} in bytes, else
 * {@code qemu-img resize} of the overlay), then the persistent definition with the new recorded
 * spec, so the change survives a restart of the domain and a re-plan finds nothing to do. Nothing
 * here can shrink a disk: a smaller size is refused before libvirt or qemu-img is asked.
 * Thread-safe (one call per domain at a time, the work queue's rule).
 */
final class DomainUpdater {

    /** The guest's one disk, as {@link DomainXml} defines it. */
    static final String DISK_TARGET = "vda";
    /** virDomainMetadataType VIR_DOMAIN_METADATA_ELEMENT, and virDomainModificationImpact VIR_DOMAIN_AFFECT_LIVE. */
    static final int METADATA_ELEMENT = 2;
    static final int AFFECT_LIVE = 1;

    private final LibvirtCalls calls;
    private final LibvirtConnection connection;
    private final DomainObserver observer;
    private final VmPaths paths;
    private final Redaction redaction;

    DomainUpdater(LibvirtCalls calls, LibvirtConnection connection, DomainObserver observer, VmPaths paths,
                  Redaction redaction) {
        this.redaction = redaction;
        this.calls = calls;
        this.connection = connection;
        this.observer = observer;
        this.paths = paths;
    }

    /** Limits only; the disk stays as recorded. */
    void updateLimits(String name, Resources r) {
        update(name, r, null);
    }

    /** Limits and, when it grew, the disk; returns what was done to the disk. */
    List<String> update(Workload desired) {
        return update(desired.name(), desired.resources(), ((VmSpec) desired.spec()).disk().sizeBytes());
    }

    private List<String> update(String name, Resources r, Long diskBytes) {
        Domain d = observer.owned(name);
        DomainFacts live = DomainFacts.parse(calls.call(name, "read domain XML", () -> d.getXMLDesc(0)));
        Workload recorded = DomainObserver.applied(live);
        if (recorded == null) {
            throw new RuntimeFailure(name, name + ": its recorded spec is unreadable; Berth leaves it alone");
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
        VmSpec spec = (VmSpec) recorded.spec();
        List<String> notes = new ArrayList<>();
        if (diskBytes != null && diskBytes != spec.disk().sizeBytes()) {
            notes.add(grow(name, d, active, diskBytes));
            spec = new VmSpec(spec.hypervisor(), spec.disk().withSize(diskBytes), spec.kernel(),
                    spec.cloudInit(), spec.network(), spec.snapshots());
        }
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
        Workload updated = new Workload(recorded.name(), recorded.labels(), r, recorded.placement(), spec,
                recorded.origin());
        // The persistent definition follows, so the limits survive a restart of the domain; its
        // recorded spec is refreshed too (libvirt metadata, unlike Docker labels, can change), and
        // one recorded in clear by an older Berth gets its secrets redacted now.
        DomainFacts persistent = observer.persistent(name, d);
        String xml = DomainXml.build(redaction.redact(updated), new Ownership(persistent.agent(), persistent.source()),
                new DomainXml.Choices(calls.call(name, "read domain uuid", d::getUUIDString), persistent.domainType(),
                        paths, persistent.hardLimitKiB() > 0,
                        Files.exists(paths.seed(name)), persistent.memoryKiB(), persistent.notes()));
        calls.run(name, "redefine domain", () -> connection.get().domainDefineXML(xml));
        if (active) {
            // A running domain keeps its live XML until it stops: its live metadata must carry the new
            // recorded spec too, or the next plan would read the old disk size back from it.
            String meta = workloadElement(name, xml);
            calls.run(name, "update live metadata", () -> {
                d.setMetadata(METADATA_ELEMENT, meta, "berth", DomainXml.NS, AFFECT_LIVE);
                return null;
            });
        }
        return notes;
    }

    /** Berth's metadata element of a domain XML, serialised on its own and without its namespace (for virDomainSetMetadata). */
    private static String workloadElement(String name, String domainXml) {
        try {
            org.w3c.dom.Document doc = DomainXml.factory().newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(domainXml)));
            org.w3c.dom.Node e = doc.getElementsByTagNameNS(DomainXml.NS, "workload").item(0);
            javax.xml.transform.Transformer t = javax.xml.transform.TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(javax.xml.transform.OutputKeys.OMIT_XML_DECLARATION, "yes");
            java.io.StringWriter out = new java.io.StringWriter();
            t.transform(new javax.xml.transform.dom.DOMSource(e), new javax.xml.transform.stream.StreamResult(out));
            // libvirt puts the element in the namespace itself, under the key's prefix, and refuses one
            // that declares it already: hand it over unprefixed (text is escaped, so "<berth:" is a tag).
            String prefix = e.getPrefix() == null ? "" : e.getPrefix() + ":";
            return out.toString().replaceAll("\\s+xmlns(:[A-Za-z0-9_-]+)?=\"" + java.util.regex.Pattern.quote(DomainXml.NS)
                    + "\"", "").replace("<" + prefix, "<").replace("</" + prefix, "</");
        } catch (Exception e) {
            throw new RuntimeFailure(name, name + ": cannot write its metadata: " + e.getMessage(), e);
        }
    }

    /**
     * Grows the disk to {@code bytes}: a running (or paused) domain through QEMU, which tells the
     * guest at once; a stopped one by resizing the overlay. Idempotent: an equal size is a no-op,
     * so a grow whose redefine failed is simply finished by the retry.
     */
    private String grow(String name, Domain d, boolean active, long bytes) {
        if (!active) {
            long before = DiskImages.info(name, paths.disk(name)).virtualSize();
            DiskImages.grow(name, paths.disk(name), bytes);
            return "grew its disk from " + Quantities.formatMemory(before) + " to " + Quantities.formatMemory(bytes)
                    + " (qemu-img resize: the domain is not running)";
        }
        long now = calls.call(name, "read disk size", () -> d.blockInfo(DISK_TARGET).getCapacity());
        if (bytes < now) {
            throw new RuntimeFailure(name, name + ": cannot shrink its disk from " + Quantities.formatMemory(now)
                    + " to " + Quantities.formatMemory(bytes) + " (Berth never discards disk data)");
        }
        if (bytes > now) {
            calls.run(name, "grow disk", () -> {
                d.blockResize(DISK_TARGET, bytes, Domain.BlockResizeFlags.BYTES);
                return null;
            });
        }
        return "grew its disk from " + Quantities.formatMemory(now) + " to " + Quantities.formatMemory(bytes)
                + " live (the guest sees the new size now; grow its partition and filesystem inside)";
    }
}
