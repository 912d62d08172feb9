package io.berth.runtime.libvirt;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a domain's XML says, read back from libvirt (never from our own manifest): Berth's
 * ownership metadata and the limits the domain runs with. Immutable.
 *
 * @param managed      the domain carries Berth's metadata
 * @param memoryKiB    the defined maximum ({@code <memory>})
 * @param currentKiB   what the guest has now ({@code <currentMemory>}, moved by the balloon)
 * @param globalQuota  the domain-wide CFS quota in µs per {@code globalPeriod}, 0 for none
 * @param hardLimitKiB memtune's hard limit, 0 for none
 */
record DomainFacts(String domainName, String domainType, boolean managed, String name, String agent, String source,
                   String specHash, String specJson, Map<String, String> labels, List<String> notes, long vcpus,
                   long memoryKiB, long currentKiB, long globalPeriod, long globalQuota, long hardLimitKiB) {

    static DomainFacts parse(String xml) {
        Document doc;
        try {
            doc = DomainXml.factory().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable domain XML: " + e.getMessage(), e);
        }
        Element domain = doc.getDocumentElement();
        Element meta = first(domain, DomainXml.NS, "workload");
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        if (meta != null) {
            NodeList ls = meta.getElementsByTagNameNS(DomainXml.NS, "label");
            for (int i = 0; i < ls.getLength(); i++) {
                Element l = (Element) ls.item(i);
                labels.put(l.getAttribute("key"), l.getTextContent());
            }
            NodeList ns = meta.getElementsByTagNameNS(DomainXml.NS, "note");
            for (int i = 0; i < ns.getLength(); i++) {
                notes.add(ns.item(i).getTextContent());
            }
        }
        Element cputune = child(domain, "cputune");
        Element memtune = child(domain, "memtune");
        return new DomainFacts(
                text(child(domain, "name")),
                domain.getAttribute("type"),
                meta != null && "true".equals(nsText(meta, "managed")),
                nsText(meta, "name"), nsText(meta, "agent"), nsText(meta, "source"),
                nsText(meta, "spec-hash"), nsText(meta, "spec"), labels, notes,
                number(text(child(domain, "vcpu"))),
                kib(child(domain, "memory")),
                kib(child(domain, "currentMemory")),
                number(text(child(cputune, "global_period"))),
                number(text(child(cputune, "global_quota"))),
                kib(child(memtune, "hard_limit")));
    }

    /** The CPU limit the domain runs under, in millicores: its global quota, else all its vCPUs. */
    long cpuMillis() {
        if (globalQuota > 0 && globalPeriod > 0) {
            return globalQuota * 1000 / globalPeriod;
        }
        return vcpus * 1000;
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNamespaceURI() == null && name.equals(e.getLocalName() != null
                    ? e.getLocalName() : e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static Element first(Element root, String ns, String local) {
        NodeList list = root.getElementsByTagNameNS(ns, local);
        return list.getLength() == 0 ? null : (Element) list.item(0);
    }

    private static String nsText(Element meta, String local) {
        if (meta == null) {
            return null;
        }
        for (Node n = meta.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DomainXml.NS.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
                return e.getTextContent();
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().strip();
    }

    private static long number(String s) {
        return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
    }

    /** A memory element in KiB, whatever unit libvirt wrote (it normalises to KiB, but be sure). */
    private static long kib(Element e) {
        if (e == null) {
            return 0;
        }
        long v = number(text(e));
        String unit = e.getAttribute("unit");
        return switch (unit) {
            case "", "KiB", "k", "K" -> v;
            case "b", "bytes" -> v / 1024;
            case "MiB", "M" -> v * 1024;
            case "GiB", "G" -> v * 1024 * 1024;
            default -> v;
        };
    }
}
