package io.berth.runtime.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Origin;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The acceptance test: a manifest whose labels, cloud-init data, kernel command line (and
 * the ownership strings and notes Berth writes beside them) are full of XML metacharacters yields a
 * domain whose XML parses and holds those values as text, both as built and as libvirt stores and
 * re-serialises it. Names are DNS labels, so they cannot carry metacharacters; label keys are
 * restricted too, so they carry only the unusual characters their syntax allows.
 *
 * <p>libvirt's test driver ({@code test:///default}) runs in-process: no libvirtd, nothing started.
 */
class DomainXmlCorpusTest {

    static final VmPaths PATHS = new VmPaths(Path.of("/srv/berth-state"));
    /** As unusual as a label key may be: a DNS-subdomain prefix, upper case, '_', '.' and '-'. */
    static final String KEY = "nasty.example-1.com/Value_of.the-Corpus";
    static final String OTHER_KEY = "z_Z.9-a";
    static final String NS = DomainXml.NS;
    static final AtomicInteger SEQ = new AtomicInteger();

    static Connect conn;

    @BeforeAll
    static void open() throws LibvirtException {
        conn = new Connect("test:///default");
    }

    @AfterAll
    static void close() throws LibvirtException {
        if (conn != null) {
            conn.close();
        }
    }

    static Stream<Arguments> corpus() {
        String longString = IntStream.range(0, 200).mapToObj(i -> i % 2 == 0 ? "<a&b>" : "\"'x]]")
                .reduce("", String::concat);
        List<Named<String>> nasty = List.of(
                named("less-than <", "<"),
                named("greater-than >", ">"),
                named("ampersand &", "&"),
                named("pre-escaped &amp;", "&amp;"),
                named("double quote \"", "\""),
                named("apostrophe '", "'"),
                named("CDATA end ]]>", "]]>"),
                named("CDATA section", "<![CDATA[x]]>"),
                named("comment", "<!-- c -->"),
                named("XML declaration", "<?xml version=\"1.0\"?>"),
                named("processing instruction", "<?php echo 1; ?>"),
                named("DOCTYPE with external entity", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"),
                named("entity reference &e;", "&e;"),
                named("character references", "&#60;&#x3C;&lt;&#0;&#xFFFF;"),
                named("forged managed=false", "</berth:label><berth:managed>false</berth:managed>"),
                named("forged second workload", "</berth:workload><berth:workload xmlns:berth=\"" + NS + "\">"
                        + "<berth:managed>false</berth:managed><berth:agent>evil</berth:agent>"),
                named("close </domain>", "</domain>"),
                named("close metadata and open a new domain", "</metadata></domain><domain type=\"kvm\">"),
                named("namespace redeclaration", "xmlns:berth=\"evil\""),
                named("attribute breakout", "\" key=\"x\" managed='false"),
                named("tabs, newlines, CR", "a\tb\nc\r\nd\re\t"),
                named("leading and trailing spaces", "  padded value  "),
                named("whitespace only", "   "),
                named("emoji (astral plane)", "\uD83D\uDE80 berth \uD83D\uDE00\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"),
                named("right-to-left with overrides", "\u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627 \u202Eevil\u202C"),
                named("combining characters", "e\u0301 a\u0308 Z\u0324\u0354\u0367\u0311\u0313 n\u0303"),
                named("line and paragraph separators", "line\u2028next\u2029para"),
                named("1000 characters of metacharacters", longString),
                named("backslashes", "C:\\path\\to\\file \\n \\u0041 \\\\ \\"),
                named("format and template placeholders", "%s %n %d %% ${x} #{y} {{z}} $(id) `id`"),
                named("mixed quotes", "\"it's\" 'a \"quote\"' `tick` \u201Ccurly\u201D \u2018single\u2019"),
                named("YAML syntax", "key: value # comment\n- [a, b]\n*alias &anchor !!python/object:os.system"),
                named("JSON syntax", "{\"managed\":false,\"a\":[1,\"\\\"\"]}"),
                named("all XML metacharacters", "<>&'\"]]><![CDATA[&amp;<!--"));
        return nasty.stream().map(n -> Arguments.of(n));
    }

    /** What the manifest parser accepts as a label value: at most 1024 characters, no control characters. */
    static boolean labelSafe(String s) {
        return s.length() <= 1024 && s.chars().noneMatch(Character::isISOControl);
    }

    @Test
    void theCorpusIsBigEnough() {
        assertThat(corpus().count()).isGreaterThanOrEqualTo(20);
        assertThat(corpus().map(a -> ((Named<?>) a.get()[0]).getPayload()).filter(s -> labelSafe((String) s)).count())
                .isGreaterThanOrEqualTo(20);
        assertThat(corpus().map(a -> ((Named<?>) a.get()[0]).getPayload())).anyMatch(s -> ((String) s).length() == 1000);
    }

    record Case(Workload workload, Ownership ownership, List<String> notes, String value, boolean labelled,
                String cmdline) {
        DomainXml.Choices choices() {
            return new DomainXml.Choices(null, "qemu", PATHS, true, true, 0, notes);
        }
    }

    /** What the manifest parser accepts as a kernel command line: no control characters. */
    static boolean cmdlineSafe(String s) {
        return s.codePoints().noneMatch(Character::isISOControl);
    }

    /** The string everywhere a manifest or Berth can put free text; the label only where the parser allows it. */
    static Case manifest(String s) {
        String name = "nasty-" + SEQ.incrementAndGet();
        boolean labelled = labelSafe(s);
        // A kernel command line is one printable line: multi-line strings get a stand-in there.
        String cmdline = cmdlineSafe(s) ? s : "console=ttyS0 multi-line-value-elsewhere";
        String labels = (labelled ? "    " + KEY + ": " + yaml(s) + "\n" : "") + "    " + OTHER_KEY + ": plain\n";
        Workload w = Manifests.one("""
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata:
                  name: %s
                  labels:
                %s\
                spec:
                  hypervisor: qemu
                  resources:
                    limits: {cpu: "1.5", memory: 512Mi}
                  disk: {image: /var/lib/berth/images/base-64m.qcow2}
                  kernel:
                    path: /var/lib/berth/images/vmlinuz
                    cmdline: %s
                  cloudInit:
                    userData: %s
                """.formatted(name, labels, yaml(cmdline), yaml(s)));
        // The parser kept the value exactly.
        VmSpec spec = (VmSpec) w.spec();
        assertThat(spec.cloudInit().userData()).isEqualTo(s);
        assertThat(spec.kernel().cmdline()).isEqualTo(cmdline);
        if (labelled) {
            assertThat(w.labels()).containsEntry(KEY, s);
        }
        // And the canonical form round-trips it.
        Workload again = CanonicalForm.fromJson(CanonicalForm.toJson(w), Origin.unknown(Path.of("<canonical>")));
        assertThat(again.sameSpec(w)).isTrue();
        return new Case(w, new Ownership(s, s), List.of(s, "a plain note"), s, labelled, cmdline);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("corpus")
    void builtXmlHoldsTheValueAsText(String s) {
        Case c = manifest(s);
        String xml = DomainXml.build(c.workload(), c.ownership(), c.choices());

        Document doc = assertStructure(xml, c);
        // The kernel command line is domain XML proper, not metadata.
        assertThat(onlyChild(onlyChild(doc.getDocumentElement(), "os"), "cmdline").getTextContent()).isEqualTo(c.cmdline());
        assertFacts(DomainFacts.parse(xml), c);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("corpus")
    void libvirtStoresAndReturnsTheValue(String s) throws LibvirtException {
        Case c = manifest(s);
        String xml = DomainXml.build(c.workload(), c.ownership(), c.choices());

        Domain d = conn.domainDefineXML(xml);
        try {
            assertThat(d.getName()).isEqualTo("berth-" + c.workload().name());
            String back = d.getXMLDesc(0);

            Document doc = assertStructure(back, c);
            assertThat(onlyChild(onlyChild(doc.getDocumentElement(), "os"), "cmdline").getTextContent())
                    .isEqualTo(c.cmdline());
            assertFacts(DomainFacts.parse(back), c);
            assertThat(conn.domainLookupByName("berth-" + c.workload().name()).getUUIDString())
                    .isEqualTo(d.getUUIDString());
        } finally {
            d.undefine();
        }
        assertThat(conn.listDefinedDomains()).doesNotContain("berth-" + c.workload().name());
    }

    /** Well-formed, one domain, one workload element, managed still true, nothing but elements and text. */
    static Document assertStructure(String xml, Case c) {
        Document doc = DomainXmlTest.parseStrict(xml);
        assertThat(doc.getDoctype()).isNull();
        List<Node> top = new ArrayList<>();
        for (Node n = doc.getFirstChild(); n != null; n = n.getNextSibling()) {
            top.add(n);
        }
        assertThat(top).as("the document's only node is <domain>").hasSize(1);
        Element domain = doc.getDocumentElement();
        assertThat(domain.getNamespaceURI()).isNull();
        assertThat(domain.getLocalName()).isEqualTo("domain");
        assertThat(domain.getAttribute("type")).isEqualTo("qemu");
        assertThat(domain.getAttributes().getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagName("domain").getLength()).isEqualTo(1);
        assertThat(onlyChild(domain, "name").getTextContent()).isEqualTo("berth-" + c.workload().name());

        assertThat(doc.getElementsByTagNameNS(NS, "workload").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagNameNS("*", "workload").getLength()).isEqualTo(1);
        Element metadata = onlyChild(domain, "metadata");
        Element workload = (Element) doc.getElementsByTagNameNS(NS, "workload").item(0);
        assertThat(workload.getParentNode()).isSameAs(metadata);
        assertThat(workload.getPrefix()).isEqualTo("berth");
        assertThat(elements(metadata)).hasSize(1);

        assertThat(doc.getElementsByTagNameNS("*", "managed").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagNameNS(NS, "managed").item(0).getTextContent()).isEqualTo("true");
        assertThat(doc.getElementsByTagNameNS("*", "agent").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagNameNS(NS, "source").getLength()).isEqualTo(1);
        assertThat(doc.getElementsByTagNameNS(NS, "label").getLength()).isEqualTo(c.workload().labels().size());
        assertThat(doc.getElementsByTagNameNS(NS, "note").getLength()).isEqualTo(c.notes().size());
        // Every element in Berth's namespace is one Berth writes, and each holds text only.
        List<String> names = List.of("workload", "managed", "name", "kind", "spec-hash", "source", "agent", "spec",
                "labels", "label", "note");
        assertNoMarkupBut(domain, names);
        return doc;
    }

    /** No comments, PIs or entity references anywhere; Berth's leaf elements hold a single text run at most. */
    static void assertNoMarkupBut(Node node, List<String> berthNames) {
        for (Node n = node.getFirstChild(); n != null; n = n.getNextSibling()) {
            switch (n.getNodeType()) {
                case Node.ELEMENT_NODE -> {
                    if (NS.equals(n.getNamespaceURI())) {
                        assertThat(berthNames).contains(n.getLocalName());
                        assertThat(((Element) n).getAttributes().getLength())
                                .as("attributes of %s", n.getNodeName())
                                .isEqualTo(n.getLocalName().equals("label") ? 1
                                        : n.getLocalName().equals("workload") ? 1 : 0); // key=, xmlns:berth=
                        if (!List.of("workload", "labels").contains(n.getLocalName())) {
                            assertThat(elements(n)).as("children of %s", n.getNodeName()).isEmpty();
                        }
                    }
                    assertNoMarkupBut(n, berthNames);
                }
                case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> { }
                default -> throw new AssertionError("unexpected " + n.getClass().getSimpleName() + " node: " + n);
            }
        }
    }

    static void assertFacts(DomainFacts f, Case c) {
        Workload w = c.workload();
        String s = c.value();
        assertThat(f.managed()).isTrue();
        assertThat(f.domainName()).isEqualTo("berth-" + w.name());
        assertThat(f.domainType()).isEqualTo("qemu");
        assertThat(f.name()).isEqualTo(w.name());
        assertThat(f.agent()).isEqualTo(s);
        assertThat(f.source()).isEqualTo(s);
        assertThat(f.notes()).isEqualTo(c.notes());
        assertThat(f.labels()).isEqualTo(w.labels());
        if (c.labelled()) {
            assertThat(f.labels()).containsEntry(KEY, s).containsEntry(OTHER_KEY, "plain").hasSize(2);
        } else {
            assertThat(f.labels()).isEqualTo(Map.of(OTHER_KEY, "plain"));
        }
        assertThat(f.specJson()).isEqualTo(CanonicalForm.toJson(w));
        assertThat(f.specHash()).isEqualTo(CanonicalForm.specHash(w));
        Workload applied = CanonicalForm.fromJson(f.specJson(), new Origin(Path.of("<domain metadata>"), 1, 1));
        assertThat(applied.sameSpec(w)).isTrue();
        VmSpec spec = (VmSpec) applied.spec();
        assertThat(spec.cloudInit().userData()).isEqualTo(s);
        assertThat(spec.kernel().cmdline()).isEqualTo(c.cmdline());
        if (c.labelled()) {
            assertThat(applied.labels()).containsEntry(KEY, s);
        }
        // The limits are untouched by whatever the text held.
        assertThat(f.vcpus()).isEqualTo(2);
        assertThat(f.cpuMillis()).isEqualTo(1500);
        assertThat(f.memoryKiB()).isEqualTo(524_288);
        assertThat(f.currentKiB()).isEqualTo(524_288);
        assertThat(f.hardLimitKiB()).isEqualTo(DomainXml.hardLimitKiB(524_288, "qemu"));
    }

    static Element onlyChild(Element parent, String name) {
        List<Element> found = elements(parent).stream().filter(e -> name.equals(e.getLocalName())
                && e.getNamespaceURI() == null).toList();
        assertThat(found).as("<%s> in <%s>", name, parent.getTagName()).hasSize(1);
        return found.getFirst();
    }

    static List<Element> elements(Node parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    /** A YAML double-quoted scalar for {@code s}: escapes what YAML would otherwise fold, break or reject. */
    static String yaml(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // Controls, YAML 1.1 line breaks (NEL, LS, PS), BOM and non-characters: escaped.
                    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff
                            || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff) {
                        b.append(String.format("\\u%04x", cp));
                    } else {
                        b.appendCodePoint(cp);
                    }
                }
            }
        });
        return b.append('"').toString();
    }
}
