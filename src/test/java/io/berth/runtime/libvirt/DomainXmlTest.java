package io.berth.runtime.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Origin;
import io.berth.manifest.VmSpec;
import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The domain XML DomainXml builds, read with a DOM and XPath; and DomainFacts reading it back. Pure: no libvirt. */
class DomainXmlTest {

    static final VmPaths PATHS = new VmPaths(Path.of("/srv/berth-state"));
    static final Ownership OWNER = new Ownership("agent-1", "/etc/berth/manifests/web.yaml");
    static final String KERNEL = """
              kernel:
                path: /var/lib/berth/images/vmlinuz
                initrd: /var/lib/berth/images/initrd-busybox.img
                cmdline: console=ttyS0 panic=-1
            """;

    /** A VirtualMachine manifest through the real parser; {@code extra} is more of spec, indented by two. */
    static Workload vm(String name, String cpu, String memory, String hypervisor, String extra) {
        return Manifests.one("""
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata:
                  name: %s
                  labels: {tier: web, example.com/owner_team.v-1: platform}
                spec:
                  hypervisor: %s
                  resources:
                    limits: {cpu: "%s", memory: %s}
                  disk: {image: /var/lib/berth/images/base-64m.qcow2}
                %s""".formatted(name, hypervisor, cpu, memory, extra));
    }

    static Workload vm(String extra) {
        return vm("web", "1.5", "512Mi", "qemu", extra);
    }

    static DomainXml.Choices choices(String type, boolean memtune, boolean seed) {
        return new DomainXml.Choices(null, type, PATHS, memtune, seed, 0, List.of());
    }

    static Xml build(Workload w, DomainXml.Choices c) {
        return new Xml(DomainXml.build(w, OWNER, c));
    }

    @Test
    void limitsForOneAndAHalfCpusAnd512Mi() {
        Xml x = build(vm(""), choices("qemu", true, false));

        assertThat(x.text("/domain/vcpu")).isEqualTo("2");
        assertThat(x.text("/domain/vcpu/@placement")).isEqualTo("static");
        assertThat(x.text("/domain/cputune/global_period")).isEqualTo("100000");
        assertThat(x.text("/domain/cputune/global_quota")).isEqualTo("150000");
        assertThat(x.text("/domain/memory")).isEqualTo("524288");
        assertThat(x.text("/domain/memory/@unit")).isEqualTo("KiB");
        assertThat(x.text("/domain/currentMemory")).isEqualTo("524288");
        assertThat(x.text("/domain/currentMemory/@unit")).isEqualTo("KiB");
        // Per-vCPU quotas would be wrong: the cap is domain-wide.
        assertThat(x.count("/domain/cputune/quota")).isZero();
        assertThat(x.count("/domain/cputune/period")).isZero();
    }

    @ParameterizedTest(name = "cpu {0} -> {1} vCPU(s), quota {2}us per 100ms")
    @CsvSource({"100m, 1, 10000", "250m, 1, 25000", "1, 1, 100000", "1.5, 2, 150000", "2, 2, 200000", "3.25, 4, 325000"})
    void vcpusRoundUpAndTheQuotaIsExact(String cpu, String vcpus, String quota) {
        Xml x = build(vm("web", cpu, "512Mi", "qemu", ""), choices("qemu", true, false));
        assertThat(x.text("/domain/vcpu")).isEqualTo(vcpus);
        assertThat(x.text("/domain/cputune/global_period")).isEqualTo("100000");
        assertThat(x.text("/domain/cputune/global_quota")).isEqualTo(quota);
    }

    @ParameterizedTest(name = "domain type {0}: hard limit = memory + overhead (tcg {1})")
    @CsvSource({"qemu, true", "kvm, false"})
    void memtuneHardLimitLeavesQemuItsHeadroom(String type, boolean tcg) {
        long memBytes = 512L << 20;
        Xml x = build(vm("web", "1.5", "512Mi", type, ""), choices(type, true, false));

        long hard = Long.parseLong(x.text("/domain/memtune/hard_limit"));
        assertThat(x.text("/domain/memtune/hard_limit/@unit")).isEqualTo("KiB");
        assertThat(hard).isGreaterThan(524288);
        assertThat(hard - 524288).isEqualTo(VmOverhead.bytes(memBytes, tcg) / 1024);
        assertThat(hard).isEqualTo(DomainXml.hardLimitKiB(524288, type));
    }

    @Test
    void tcgHeadroomIsLargerThanKvms() {
        assertThat(DomainXml.hardLimitKiB(524288, "qemu") - DomainXml.hardLimitKiB(524288, "kvm"))
                .isEqualTo(VmOverhead.TCG_CACHE_BYTES / 1024);
    }

    @Test
    void noMemtuneWhenNotAtDefine() {
        Xml x = build(vm(""), choices("qemu", false, false));
        assertThat(x.count("/domain/memtune")).isZero();
        assertThat(x.count("//hard_limit")).isZero();
        assertThat(DomainFacts.parse(x.xml).hardLimitKiB()).isZero();
    }

    @ParameterizedTest(name = "manifest hypervisor {0}, runtime chose {1}")
    @CsvSource({"auto, qemu", "auto, kvm", "qemu, qemu", "kvm, kvm"})
    void domainTypeFollowsTheChoiceNotTheManifest(String hypervisor, String type) {
        Xml x = build(vm("web", "1", "256Mi", hypervisor, ""), choices(type, true, false));
        assertThat(x.text("/domain/@type")).isEqualTo(type);
        assertThat(DomainFacts.parse(x.xml).domainType()).isEqualTo(type);
    }

    @Test
    void tcgTranslationCacheOnlyForQemu() {
        Xml qemu = build(vm(""), choices("qemu", true, false));
        assertThat(qemu.count("/domain/features/tcg")).isEqualTo(1);
        assertThat(qemu.text("/domain/features/tcg/tb-cache")).isEqualTo(Long.toString(VmOverhead.TCG_CACHE_BYTES >> 20));
        assertThat(qemu.text("/domain/features/tcg/tb-cache/@unit")).isEqualTo("MiB");

        Xml kvm = build(vm("web", "1.5", "512Mi", "kvm", ""), choices("kvm", true, false));
        assertThat(kvm.count("//tcg")).isZero();
        assertThat(kvm.count("//tb-cache")).isZero();
        assertThat(kvm.count("/domain/features/acpi")).isEqualTo(1);
    }

    @Test
    void domainNameIsPrefixedAndNoUuidForANewDomain() {
        Xml x = build(vm(""), choices("qemu", true, false));
        assertThat(x.doc.getDocumentElement().getTagName()).isEqualTo("domain");
        assertThat(x.text("/domain/name")).isEqualTo("berth-web");
        assertThat(x.count("/domain/uuid")).isZero();
    }

    @Test
    void uuidKeptForARedefinition() {
        String uuid = "6a1f3c2e-9b7d-4e1a-8c2f-0d9e8b7a6c5d";
        Xml x = build(vm(""), new DomainXml.Choices(uuid, "qemu", PATHS, false, false, 0, List.of()));
        assertThat(x.count("/domain/uuid")).isEqualTo(1);
        assertThat(x.text("/domain/uuid")).isEqualTo(uuid);
    }

    @Test
    void diskIsTheOverlayUnderTheStateDirectory() {
        Xml x = build(vm(""), choices("qemu", true, false));
        assertThat(x.count("/domain/devices/disk")).isEqualTo(1);
        String disk = "/domain/devices/disk[@device='disk']";
        assertThat(x.text(disk + "/@type")).isEqualTo("file");
        assertThat(x.text(disk + "/source/@file")).isEqualTo(PATHS.disk("web").toString())
                .isEqualTo("/srv/berth-state/vms/web/disk.qcow2");
        assertThat(x.text(disk + "/target/@dev")).isEqualTo("vda");
        assertThat(x.text(disk + "/target/@bus")).isEqualTo("virtio");
        assertThat(x.text(disk + "/driver/@name")).isEqualTo("qemu");
        assertThat(x.text(disk + "/driver/@type")).isEqualTo("qcow2");
        // Never the base image itself: the VM writes to its own overlay.
        assertThat(x.count("//source[@file='/var/lib/berth/images/base-64m.qcow2']")).isZero();
    }

    @Test
    void cloudInitSeedCdromOnlyWhenThereIsASeed() {
        Xml without = build(vm(""), choices("qemu", true, false));
        assertThat(without.count("/domain/devices/disk[@device='cdrom']")).isZero();

        Xml with = build(vm("""
                  cloudInit:
                    userData: "#cloud-config\\nhostname: web\\n"
                """), choices("qemu", true, true));
        String cdrom = "/domain/devices/disk[@device='cdrom']";
        assertThat(with.count(cdrom)).isEqualTo(1);
        assertThat(with.count("/domain/devices/disk")).isEqualTo(2);
        assertThat(with.text(cdrom + "/@type")).isEqualTo("file");
        assertThat(with.text(cdrom + "/source/@file")).isEqualTo(PATHS.seed("web").toString());
        assertThat(with.text(cdrom + "/driver/@type")).isEqualTo("raw");
        assertThat(with.text(cdrom + "/target/@dev")).isEqualTo("sda");
        assertThat(with.text(cdrom + "/target/@bus")).isEqualTo("sata");
        assertThat(with.count(cdrom + "/readonly")).isEqualTo(1);
        // The boot disk is still vda.
        assertThat(with.text("/domain/devices/disk[@device='disk']/target/@dev")).isEqualTo("vda");
    }

    @Test
    void directKernelBootWhenTheManifestHasAKernel() {
        Xml x = build(vm(KERNEL), choices("qemu", true, false));
        assertThat(x.text("/domain/os/type")).isEqualTo("hvm");
        assertThat(x.text("/domain/os/type/@arch")).isEqualTo("x86_64");
        assertThat(x.text("/domain/os/kernel")).isEqualTo("/var/lib/berth/images/vmlinuz");
        assertThat(x.text("/domain/os/initrd")).isEqualTo("/var/lib/berth/images/initrd-busybox.img");
        assertThat(x.text("/domain/os/cmdline")).isEqualTo("console=ttyS0 panic=-1");
        assertThat(x.count("/domain/os/boot")).isZero();
    }

    @Test
    void kernelWithoutInitrdOrCmdlineHasOnlyTheKernel() {
        Xml x = build(vm("""
                  kernel: {path: /var/lib/berth/images/vmlinuz}
                """), choices("qemu", true, false));
        assertThat(x.text("/domain/os/kernel")).isEqualTo("/var/lib/berth/images/vmlinuz");
        assertThat(x.count("/domain/os/initrd")).isZero();
        assertThat(x.count("/domain/os/cmdline")).isZero();
        assertThat(x.count("/domain/os/boot")).isZero();
    }

    @Test
    void bootsFromTheDiskWithoutAKernel() {
        Xml x = build(vm(""), choices("qemu", true, false));
        assertThat(x.count("/domain/os/boot")).isEqualTo(1);
        assertThat(x.text("/domain/os/boot/@dev")).isEqualTo("hd");
        assertThat(x.count("/domain/os/kernel")).isZero();
        assertThat(x.count("/domain/os/initrd")).isZero();
        assertThat(x.count("/domain/os/cmdline")).isZero();
    }

    @Test
    void serialAndConsoleGoToTheConsoleLog() {
        Xml x = build(vm(""), choices("qemu", true, false));
        String log = PATHS.console("web").toString();
        assertThat(log).isEqualTo("/srv/berth-state/vms/web/console.log");
        assertThat(x.count("/domain/devices/serial")).isEqualTo(1);
        assertThat(x.text("/domain/devices/serial/@type")).isEqualTo("file");
        assertThat(x.text("/domain/devices/serial/source/@path")).isEqualTo(log);
        assertThat(x.text("/domain/devices/serial/target/@port")).isEqualTo("0");
        assertThat(x.count("/domain/devices/console")).isEqualTo(1);
        assertThat(x.text("/domain/devices/console/@type")).isEqualTo("file");
        assertThat(x.text("/domain/devices/console/source/@path")).isEqualTo(log);
        assertThat(x.text("/domain/devices/console/target/@type")).isEqualTo("serial");
        assertThat(x.text("/domain/devices/console/target/@port")).isEqualTo("0");
    }

    @Test
    void userNetworkingByDefault() {
        Xml x = build(vm(""), choices("qemu", true, false));
        assertThat(x.count("/domain/devices/interface")).isEqualTo(1);
        assertThat(x.text("/domain/devices/interface/@type")).isEqualTo("user");
        assertThat(x.count("/domain/devices/interface/source")).isZero();
        assertThat(x.text("/domain/devices/interface/model/@type")).isEqualTo("virtio");
    }

    @Test
    void aLibvirtNetwork() {
        Xml x = build(vm("""
                  network: {type: network, source: default}
                """), choices("qemu", true, false));
        assertThat(x.count("/domain/devices/interface")).isEqualTo(1);
        assertThat(x.text("/domain/devices/interface/@type")).isEqualTo("network");
        assertThat(x.text("/domain/devices/interface/source/@network")).isEqualTo("default");
        assertThat(x.count("/domain/devices/interface/source/@bridge")).isZero();
        assertThat(x.text("/domain/devices/interface/model/@type")).isEqualTo("virtio");
    }

    @Test
    void aHostBridge() {
        Xml x = build(vm("""
                  network: {type: bridge, source: br0}
                """), choices("qemu", true, false));
        assertThat(x.count("/domain/devices/interface")).isEqualTo(1);
        assertThat(x.text("/domain/devices/interface/@type")).isEqualTo("bridge");
        assertThat(x.text("/domain/devices/interface/source/@bridge")).isEqualTo("br0");
        assertThat(x.count("/domain/devices/interface/source/@network")).isZero();
        assertThat(x.text("/domain/devices/interface/model/@type")).isEqualTo("virtio");
    }

    @Test
    void aLargerDefinedMaximumIsKeptWhileTheGuestGetsItsMemory() {
        Xml x = build(vm(""), new DomainXml.Choices(null, "qemu", PATHS, true, false, 1_048_576, List.of()));
        assertThat(x.text("/domain/memory")).isEqualTo("1048576");
        assertThat(x.text("/domain/currentMemory")).isEqualTo("524288");
        // The hard limit covers what the guest may hold: its maximum.
        assertThat(Long.parseLong(x.text("/domain/memtune/hard_limit")))
                .isEqualTo(1_048_576 + VmOverhead.bytes(1L << 30, true) / 1024);
        DomainFacts f = DomainFacts.parse(x.xml);
        assertThat(f.memoryKiB()).isEqualTo(1_048_576);
        assertThat(f.currentKiB()).isEqualTo(524_288);
    }

    @Test
    void aSmallerMaximumNeverShrinksTheDomainBelowTheWorkload() {
        Xml x = build(vm(""), new DomainXml.Choices(null, "qemu", PATHS, true, false, 262_144, List.of()));
        assertThat(x.text("/domain/memory")).isEqualTo("524288");
        assertThat(x.text("/domain/currentMemory")).isEqualTo("524288");
    }

    @Test
    void lifecycleAndBalloon() {
        Xml x = build(vm(""), choices("qemu", true, false));
        assertThat(x.text("/domain/on_poweroff")).isEqualTo("destroy");
        assertThat(x.text("/domain/on_reboot")).isEqualTo("restart");
        assertThat(x.text("/domain/on_crash")).isEqualTo("destroy");
        assertThat(x.text("/domain/devices/memballoon/@model")).isEqualTo("virtio");
    }

    @Test
    void metadataIsOneNamespacedWorkloadElement() {
        Xml x = build(vm(""), choices("qemu", true, false));
        assertThat(x.count("/domain/metadata")).isEqualTo(1);
        assertThat(x.count("/domain/metadata/*")).isEqualTo(1);
        assertThat(x.count("/domain/metadata/b:workload")).isEqualTo(1);
        Element workload = (Element) x.node("/domain/metadata/b:workload");
        assertThat(workload.getNamespaceURI()).isEqualTo(DomainXml.NS);
        assertThat(x.text("/domain/metadata/b:workload/b:managed")).isEqualTo("true");
        assertThat(x.text("/domain/metadata/b:workload/b:kind")).isEqualTo("VirtualMachine");
        assertThat(x.count("/domain/metadata/b:workload/b:labels/b:label")).isEqualTo(2);
        assertThat(x.text("/domain/metadata/b:workload/b:labels/b:label[@key='example.com/owner_team.v-1']"))
                .isEqualTo("platform");
    }

    @Test
    void domainFactsRoundTripsEverything() {
        Workload w = vm("""
                  kernel:
                    path: /var/lib/berth/images/vmlinuz
                    cmdline: console=ttyS0
                  cloudInit:
                    userData: "#cloud-config\\nhostname: web\\n"
                  network: {type: bridge, source: br0}
                """);
        List<String> notes = List.of("hypervisor auto chose qemu (TCG, much slower than KVM): /dev/kvm missing",
                "second note");
        String xml = DomainXml.build(w, OWNER, new DomainXml.Choices(null, "qemu", PATHS, true, true, 0, notes));

        DomainFacts f = DomainFacts.parse(xml);

        assertThat(f.domainName()).isEqualTo("berth-web");
        assertThat(f.domainType()).isEqualTo("qemu");
        assertThat(f.managed()).isTrue();
        assertThat(f.name()).isEqualTo("web");
        assertThat(f.agent()).isEqualTo("agent-1");
        assertThat(f.source()).isEqualTo("/etc/berth/manifests/web.yaml");
        assertThat(f.specHash()).isEqualTo(CanonicalForm.specHash(w)).hasSize(64);
        assertThat(f.specJson()).isEqualTo(CanonicalForm.toJson(w));
        assertThat(f.labels()).isEqualTo(Map.of("tier", "web", "example.com/owner_team.v-1", "platform"))
                .isEqualTo(w.labels());
        assertThat(f.notes()).isEqualTo(notes);
        assertThat(f.vcpus()).isEqualTo(2);
        assertThat(f.memoryKiB()).isEqualTo(524_288);
        assertThat(f.currentKiB()).isEqualTo(524_288);
        assertThat(f.globalPeriod()).isEqualTo(100_000);
        assertThat(f.globalQuota()).isEqualTo(150_000);
        assertThat(f.cpuMillis()).isEqualTo(1500).isEqualTo(w.resources().limits().cpuMillis());
        assertThat(f.hardLimitKiB()).isEqualTo(524_288 + VmOverhead.bytes(512L << 20, true) / 1024);

        Workload back = CanonicalForm.fromJson(f.specJson(), new Origin(Path.of("<domain metadata>"), 1, 1));
        assertThat(back.sameSpec(w)).isTrue();
        VmSpec spec = (VmSpec) back.spec();
        assertThat(spec.cloudInit().userData()).isEqualTo("#cloud-config\nhostname: web\n");
        assertThat(spec.kernel().cmdline()).isEqualTo("console=ttyS0");
        assertThat(spec.network()).isEqualTo(new VmSpec.Network(VmSpec.NetworkType.bridge, "br0"));
    }

    @Test
    void noNotesAndNoLabelsReadBackEmpty() {
        Workload w = Manifests.one("""
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: bare}
                spec:
                  resources:
                    limits: {cpu: "1", memory: 128Mi}
                  disk: {image: /var/lib/berth/images/base-64m.qcow2}
                """);
        DomainFacts f = DomainFacts.parse(DomainXml.build(w, OWNER, choices("kvm", false, false)));
        assertThat(f.managed()).isTrue();
        assertThat(f.labels()).isEmpty();
        assertThat(f.notes()).isEmpty();
        assertThat(f.cpuMillis()).isEqualTo(1000);
        assertThat(f.memoryKiB()).isEqualTo(131_072);
        assertThat(f.hardLimitKiB()).isZero();
    }

    @Test
    void domainXmlWithoutBerthMetadataIsNotManaged() {
        DomainFacts f = DomainFacts.parse("""
                <domain type='kvm'><name>someone-elses</name><memory unit='MiB'>256</memory>
                <vcpu>2</vcpu></domain>""");
        assertThat(f.managed()).isFalse();
        assertThat(f.name()).isNull();
        assertThat(f.memoryKiB()).isEqualTo(262_144);
        assertThat(f.cpuMillis()).isEqualTo(2000);
    }

    /** Parsed domain XML with XPath; prefix {@code b} is Berth's metadata namespace. */
    static final class Xml {
        final String xml;
        final Document doc;
        private final XPath xpath;

        Xml(String xml) {
            this.xml = xml;
            this.doc = parseStrict(xml);
            this.xpath = XPathFactory.newInstance().newXPath();
            xpath.setNamespaceContext(new NamespaceContext() {
                @Override
                public String getNamespaceURI(String prefix) {
                    return "b".equals(prefix) ? DomainXml.NS : XMLConstants.NULL_NS_URI;
                }

                @Override
                public String getPrefix(String uri) {
                    return null;
                }

                @Override
                public Iterator<String> getPrefixes(String uri) {
                    return null;
                }
            });
        }

        String text(String expr) {
            assertThat(count(expr)).as("exactly one match for %s in%n%s", expr, xml).isEqualTo(1);
            try {
                return xpath.evaluate(expr, doc);
            } catch (Exception e) {
                throw new AssertionError(expr, e);
            }
        }

        Node node(String expr) {
            try {
                return (Node) xpath.evaluate(expr, doc, XPathConstants.NODE);
            } catch (Exception e) {
                throw new AssertionError(expr, e);
            }
        }

        int count(String expr) {
            try {
                return ((NodeList) xpath.evaluate(expr, doc, XPathConstants.NODESET)).getLength();
            } catch (Exception e) {
                throw new AssertionError(expr, e);
            }
        }
    }

    /** Namespace-aware, no DOCTYPE, no entity expansion: anything not well-formed or sneaky throws. */
    static Document parseStrict(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setValidating(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            var builder = f.newDocumentBuilder();
            builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                public void error(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
                    throw e;
                }

                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
                    throw e;
                }
            });
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + xml, e);
        }
    }
}
