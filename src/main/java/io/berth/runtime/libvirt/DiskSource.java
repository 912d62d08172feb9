package io.berth.runtime.libvirt;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and rewrites where a domain's guest disk ({@code vda}, as {@link DomainXml} defines it)
 * points, and writes the {@code <domainsnapshot>} of an external disk-only snapshot. Through the
 * DOM only (paths are text, never markup). Pure; thread-safe.
 */
final class DiskSource {

    static final String GUEST_DISK = "vda";

    private DiskSource() {
    }

    /** The file behind {@code vda} in this domain XML, or null when it has none. */
    static String of(String domainXml) {
        Element disk = guestDisk(parse(domainXml));
        Element source = disk == null ? null : first(disk, "source");
        return source == null || !source.hasAttribute("file") ? null : source.getAttribute("file");
    }

    /** The domain XML with {@code vda} pointing at {@code file} (any recorded backing chain dropped: libvirt reads it again). */
    static String with(String domainXml, String file) {
        Document doc = parse(domainXml);
        Element disk = guestDisk(doc);
        if (disk == null) {
            throw new IllegalArgumentException("the domain has no disk " + GUEST_DISK);
        }
        first(disk, "source").setAttribute("file", file);
        Element backing = first(disk, "backingStore");
        if (backing != null) {
            disk.removeChild(backing);
        }
        return DomainXml.serialize(doc);
    }

    /** Whether the guest has a qemu-guest-agent channel (so its filesystems can be quiesced). */
    static boolean hasGuestAgent(String domainXml) {
        NodeList targets = parse(domainXml).getElementsByTagName("target");
        for (int i = 0; i < targets.getLength(); i++) {
            Element t = (Element) targets.item(i);
            if ("org.qemu.guest_agent.0".equals(t.getAttribute("name"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * An external disk-only snapshot of {@code vda} into a new overlay {@code file}; every other
     * disk (the read-only cloud-init seed) is left out of it.
     */
    static String snapshotXml(String domainXml, String file) {
        List<String> others = new ArrayList<>();
        NodeList disks = parse(domainXml).getElementsByTagName("disk");
        for (int i = 0; i < disks.getLength(); i++) {
            Element target = first((Element) disks.item(i), "target");
            if (target != null && !GUEST_DISK.equals(target.getAttribute("dev"))) {
                others.add(target.getAttribute("dev"));
            }
        }
        Document doc = DomainXml.newDocument();
        Element root = doc.createElement("domainsnapshot");
        doc.appendChild(root);
        Element list = doc.createElement("disks");
        root.appendChild(list);
        Element vda = doc.createElement("disk");
        vda.setAttribute("name", GUEST_DISK);
        vda.setAttribute("snapshot", "external");
        vda.setAttribute("type", "file");
        list.appendChild(vda);
        Element driver = doc.createElement("driver");
        driver.setAttribute("type", "qcow2");
        vda.appendChild(driver);
        Element source = doc.createElement("source");
        source.setAttribute("file", file);
        vda.appendChild(source);
        for (String dev : others) {
            Element other = doc.createElement("disk");
            other.setAttribute("name", dev);
            other.setAttribute("snapshot", "no");
            list.appendChild(other);
        }
        return DomainXml.serialize(doc);
    }

    private static Element guestDisk(Document doc) {
        NodeList disks = doc.getElementsByTagName("disk");
        for (int i = 0; i < disks.getLength(); i++) {
            Element d = (Element) disks.item(i);
            Element target = first(d, "target");
            if (target != null && GUEST_DISK.equals(target.getAttribute("dev"))) {
                return d;
            }
        }
        return null;
    }

    private static Element first(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static Document parse(String xml) {
        try {
            return DomainXml.factory().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read domain XML: " + e.getMessage(), e);
        }
    }
}
