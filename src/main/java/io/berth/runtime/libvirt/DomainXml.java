package io.berth.runtime.libvirt;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Kind;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.OwnershipLabels;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * Builds a VM's libvirt domain XML with the DOM, never by string concatenation: names, labels,
 * paths and cloud-init data can hold {@code <}, {@code &}, quotes or {@code ]]>} and still only
 * ever become text. Pure; thread-safe.
 *
 * <p>Limits: vCPUs = ceil(cpu); the whole domain's CPU time is capped at exactly {@code cpu} cores
 * with cputune's global period/quota (per-vCPU quotas would let 2 vCPUs at 0.75 each never reach
 * 1.5 for a single-threaded load, and would not cap the emulator threads); memory is the guest's
 * RAM, and a memtune hard limit leaves {@link VmOverhead} headroom for QEMU itself.
 */
final class DomainXml {

    static final String NS = "https://berth.io/xmlns/workload/v1";
    static final String PREFIX = "berth";
    static final long CPU_PERIOD_US = 100_000;

    /**
     * What the runtime decided for this domain, beyond the manifest. uuid is null for a new domain
     * and the domain's own for a redefinition (libvirt matches definitions by name and UUID).
     * maxMemoryKiB keeps a domain's defined maximum when its memory is lowered in place (0: the
     * workload's memory), so the balloon can give the memory back later without a recreate.
     */
    record Choices(String uuid, String domainType, VmPaths paths, boolean memtuneAtDefine, boolean hasSeed,
                   long maxMemoryKiB, List<String> notes) {
    }

    private DomainXml() {
    }

    static String domainName(String workload) {
        return OwnershipLabels.objectName(workload);
    }

    /**
     * The domain XML of {@code w}, which is recorded in the metadata as given: callers pass it
     * {@linkplain io.berth.manifest.Redaction#redact redacted}, so no secret reaches libvirt's XML
     * (the user data goes to the seed ISO only, never into the domain).
     */
    static String build(Workload w, Ownership ownership, Choices c) {
        VmSpec spec = (VmSpec) w.spec();
        Document doc = newDocument();
        Element domain = doc.createElement("domain");
        domain.setAttribute("type", c.domainType());
        doc.appendChild(domain);
        text(domain, "name", domainName(w.name()));
        if (c.uuid() != null) {
            text(domain, "uuid", c.uuid());
        }

        Element metadata = child(domain, "metadata");
        metadata.appendChild(metadata(doc, w, ownership, c.notes()));

        long memKiB = w.resources().limits().memoryBytes() / 1024;
        long maxKiB = Math.max(memKiB, c.maxMemoryKiB());
        text(domain, "memory", Long.toString(maxKiB)).setAttribute("unit", "KiB");
        text(domain, "currentMemory", Long.toString(memKiB)).setAttribute("unit", "KiB");
        if (c.memtuneAtDefine()) {
            Element memtune = child(domain, "memtune");
            text(memtune, "hard_limit", Long.toString(hardLimitKiB(maxKiB, c.domainType()))).setAttribute("unit", "KiB");
        }
        long cpuMillis = w.resources().limits().cpuMillis();
        text(domain, "vcpu", Long.toString(vcpus(cpuMillis))).setAttribute("placement", "static");
        Element cputune = child(domain, "cputune");
        text(cputune, "global_period", Long.toString(CPU_PERIOD_US));
        text(cputune, "global_quota", Long.toString(quota(cpuMillis)));

        Element os = child(domain, "os");
        text(os, "type", "hvm").setAttribute("arch", "x86_64");
        if (spec.kernel() != null) {
            text(os, "kernel", spec.kernel().path());
            if (spec.kernel().initrd() != null) {
                text(os, "initrd", spec.kernel().initrd());
            }
            if (spec.kernel().cmdline() != null) {
                text(os, "cmdline", spec.kernel().cmdline());
            }
        } else {
            child(os, "boot").setAttribute("dev", "hd");
        }
        Element features = child(domain, "features");
        child(features, "acpi");
        child(features, "apic");
        if ("qemu".equals(c.domainType())) {
            Element tcg = child(features, "tcg");
            text(tcg, "tb-cache", Long.toString(VmOverhead.TCG_CACHE_BYTES >> 20)).setAttribute("unit", "MiB");
        }
        // No <cpu>: libvirt's default model runs everywhere. host-passthrough is faster on real
        // hosts but fails on nested ones ("failed to set MSR 0x10a"); a manifest knob can come later.
        text(domain, "on_poweroff", "destroy");
        text(domain, "on_reboot", "restart");
        text(domain, "on_crash", "destroy");

        Element devices = child(domain, "devices");
        Element disk = child(devices, "disk");
        disk.setAttribute("type", "file");
        disk.setAttribute("device", "disk");
        attrs(child(disk, "driver"), "name", "qemu", "type", "qcow2");
        child(disk, "source").setAttribute("file", c.paths().disk(w.name()).toString());
        attrs(child(disk, "target"), "dev", "vda", "bus", "virtio");
        if (c.hasSeed()) {
            Element cdrom = child(devices, "disk");
            cdrom.setAttribute("type", "file");
            cdrom.setAttribute("device", "cdrom");
            attrs(child(cdrom, "driver"), "name", "qemu", "type", "raw");
            child(cdrom, "source").setAttribute("file", c.paths().seed(w.name()).toString());
            attrs(child(cdrom, "target"), "dev", "sda", "bus", "sata");
            child(cdrom, "readonly");
        }
        network(devices, spec.network());
        String console = c.paths().console(w.name()).toString();
        Element serial = child(devices, "serial");
        serial.setAttribute("type", "file");
        child(serial, "source").setAttribute("path", console);
        child(serial, "target").setAttribute("port", "0");
        Element con = child(devices, "console");
        con.setAttribute("type", "file");
        child(con, "source").setAttribute("path", console);
        attrs(child(con, "target"), "type", "serial", "port", "0");
        child(devices, "memballoon").setAttribute("model", "virtio");
        return serialize(doc);
    }

    static long vcpus(long cpuMillis) {
        return (cpuMillis + 999) / 1000;
    }

    static long quota(long cpuMillis) {
        return cpuMillis * CPU_PERIOD_US / 1000;
    }

    /**
     * The QEMU process's hard limit: the most the guest can hold (its defined maximum, which a guest
     * without a balloon driver keeps even when asked to give memory back) plus QEMU's own headroom.
     */
    static long hardLimitKiB(long maxMemoryKiB, String domainType) {
        long mem = maxMemoryKiB * 1024;
        return (mem + VmOverhead.bytes(mem, "qemu".equals(domainType))) / 1024;
    }

    /** The {@code <berth:workload>} element: the same ownership facts Docker keeps in labels. */
    static Element metadata(Document doc, Workload w, Ownership ownership, List<String> notes) {
        Element root = doc.createElementNS(NS, PREFIX + ":workload");
        nsText(root, "managed", "true");
        nsText(root, "name", w.name());
        nsText(root, "kind", Kind.VirtualMachine.name());
        nsText(root, "spec-hash", CanonicalForm.specHash(w));
        nsText(root, "source", ownership.source());
        nsText(root, "agent", ownership.agent());
        nsText(root, "spec", CanonicalForm.toJson(w));
        Element labels = doc.createElementNS(NS, PREFIX + ":labels");
        root.appendChild(labels);
        for (Map.Entry<String, String> e : w.labels().entrySet()) {
            Element label = nsText(labels, "label", e.getValue());
            label.setAttribute("key", e.getKey());
        }
        for (String note : notes) {
            nsText(root, "note", note);
        }
        return root;
    }

    private static void network(Element devices, VmSpec.Network network) {
        Element nic = child(devices, "interface");
        switch (network.type()) {
            case user -> nic.setAttribute("type", "user");
            case network -> {
                nic.setAttribute("type", "network");
                child(nic, "source").setAttribute("network", network.source());
            }
            case bridge -> {
                nic.setAttribute("type", "bridge");
                child(nic, "source").setAttribute("bridge", network.source());
            }
        }
        child(nic, "model").setAttribute("type", "virtio");
    }

    static Document newDocument() {
        try {
            return factory().newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A namespace-aware parser that refuses DOCTYPEs, so no entity tricks reach us from libvirt either. */
    static DocumentBuilderFactory factory() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            return f;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String serialize(Document doc) {
        try {
            var t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.INDENT, "yes");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalArgumentException("cannot write domain XML: " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name) {
        Element e = parent.getOwnerDocument().createElement(name);
        parent.appendChild(e);
        return e;
    }

    private static Element text(Element parent, String name, String value) {
        Element e = child(parent, name);
        e.setTextContent(value);
        return e;
    }

    private static Element nsText(Element parent, String name, String value) {
        Element e = parent.getOwnerDocument().createElementNS(NS, PREFIX + ":" + name);
        e.setTextContent(value);
        parent.appendChild(e);
        return e;
    }

    private static void attrs(Element e, String... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            e.setAttribute(kv[i], kv[i + 1]);
        }
    }
}
