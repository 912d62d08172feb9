package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.manifest.ContainerSpec.EnvVar;
import io.berth.manifest.ContainerSpec.HealthCheck;
import io.berth.manifest.ContainerSpec.Port;
import io.berth.manifest.ContainerSpec.Protocol;
import io.berth.manifest.ContainerSpec.PullPolicy;
import io.berth.manifest.ContainerSpec.RestartPolicy;
import io.berth.manifest.ContainerSpec.SecurityContext;
import io.berth.manifest.ContainerSpec.VolumeMount;
import io.berth.manifest.VmSpec.CloudInit;
import io.berth.manifest.VmSpec.Disk;
import io.berth.manifest.VmSpec.Hypervisor;
import io.berth.manifest.VmSpec.Kernel;
import io.berth.manifest.VmSpec.Network;
import io.berth.manifest.VmSpec.NetworkType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The valid fixtures, checked field by field against the normalised records they must produce. */
class ValidFixturesTest {

    static final Path DIR = Path.of("src/test/resources/manifests/valid");

    static Workload only(String file) {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(DIR.resolve(file).toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).hasSize(1);
        return r.workloads().get(0);
    }

    @Test
    void richContainer() {
        Workload w = only("container-rich.yaml");
        assertThat(w.name()).isEqualTo("web");
        assertThat(w.kind()).isEqualTo(Kind.Container);
        assertThat(w.origin()).isEqualTo(new Origin(DIR.resolve("container-rich.yaml"), 2, 1));
        assertThat(w.labels()).containsExactly(
                Map.entry("app.kubernetes.io/name", "web"), Map.entry("note", "a <b> & \"c\" ]]>"), Map.entry("tier", "frontend"));
        assertThat(w.resources()).isEqualTo(new Resources(new Limits(500, 256L << 20), new Limits(100, 128L << 20), 512));
        assertThat(w.placement()).isEqualTo(new Placement("node-a", Map.of("zone", "eu-1")));
        ContainerSpec c = (ContainerSpec) w.spec();
        assertThat(c.image()).isEqualTo("registry.example.com:5000/team/web:1.27");
        assertThat(c.imagePullPolicy()).isEqualTo(PullPolicy.Always);
        assertThat(c.command()).containsExactly("nginx");
        assertThat(c.args()).containsExactly("-g", "daemon off;");
        // Scalars are taken as written: YAML 1.1 would have made these false, 83 and null.
        assertThat(c.env()).containsExactly(new EnvVar("MODE", "prod"), new EnvVar("ANSWER", "no"),
                new EnvVar("OCTAL", "0123"), new EnvVar("EMPTY", ""));
        assertThat(c.ports()).containsExactly(new Port(80, 8080, "127.0.0.1", Protocol.tcp),
                new Port(53, 8053, null, Protocol.udp), new Port(9090, 0, null, Protocol.tcp));
        assertThat(c.volumes()).containsExactly(new VolumeMount("web-data", "/data", true),
                new VolumeMount("cache", "/var/cache/nginx", false));
        assertThat(c.restartPolicy()).isEqualTo(RestartPolicy.OnFailure);
        assertThat(c.healthCheck()).isEqualTo(new HealthCheck(List.of("wget", "-qO-", "http://127.0.0.1/"), 90_000, 2_000, 5));
        assertThat(c.securityContext()).isEqualTo(new SecurityContext("1000:1000", true, false));
    }

    @Test
    void minimalContainerGetsEveryDefault() {
        Workload w = only("container-minimal.yaml");
        assertThat(w.labels()).isEmpty();
        assertThat(w.placement()).isNull();
        // cpu: 0.5 as a YAML number equals "500m"; requests default to the limits; pids to 4096.
        assertThat(w.resources()).isEqualTo(new Resources(new Limits(500, 64L << 20), new Limits(500, 64L << 20), 4096));
        assertThat(w.spec()).isEqualTo(new ContainerSpec("busybox", PullPolicy.IfNotPresent, List.of(), List.of(), List.of(),
                List.of(), List.of(), RestartPolicy.Always, null, null));
    }

    @Test
    void virtualMachine() {
        Workload w = only("vm.yaml");
        assertThat(w.kind()).isEqualTo(Kind.VirtualMachine);
        assertThat(w.labels()).isEqualTo(Map.of("role", "database"));
        // Only the cpu request is given: memory's defaults to its limit. No pids for VMs.
        assertThat(w.resources()).isEqualTo(new Resources(new Limits(1500, 1L << 30), new Limits(1000, 1L << 30), 0));
        assertThat(w.spec()).isEqualTo(new VmSpec(Hypervisor.kvm,
                new Disk("/var/lib/berth/images/debian-12-genericcloud-amd64.qcow2", 10L << 30),
                new Kernel("/var/lib/berth/images/vmlinuz", "/var/lib/berth/images/initrd.img", "console=ttyS0"),
                new CloudInit("#cloud-config\nhostname: db\n"),
                new Network(NetworkType.bridge, "br0")));
    }

    @Test
    void virtualMachinesOnBaseImagesByUrlKeepUrlAndDigestThroughTheCanonicalForm() {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(DIR.resolve("vm-image-url.yaml").toString()));
        assertThat(r.errors()).isEmpty();
        String sha = "5d3f3a0b4c1e2d6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";
        Disk web = ((VmSpec) r.workloads().get(0).spec()).disk();
        assertThat(web).isEqualTo(new Disk(null, new ImageUrl(
                "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2", sha), 10L << 30));
        assertThat(web.url().fileName()).isEqualTo("sha256-" + sha + ".img");
        assertThat(((VmSpec) r.workloads().get(1).spec()).disk().url().url())
                .isEqualTo("file:///var/lib/berth/images/mirror/debian-12.qcow2");
        // What the runtimes record and read back (with any policy): the same spec.
        for (Workload w : r.workloads()) {
            Map<String, Object> tree = CanonicalForm.toTree(w);
            @SuppressWarnings("unchecked")
            Map<String, Object> image = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) tree.get("spec"))
                    .get("disk")).get("image");
            assertThat(image).containsOnlyKeys("url", "sha256").containsEntry("sha256", sha);
        }
    }

    @Test
    void aCloneOfAnotherVmsSnapshotKeepsItsSourceThroughTheCanonicalForm() {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(DIR.resolve("vm-clone.yaml").toString()));
        assertThat(r.errors()).isEmpty();
        Disk disk = ((VmSpec) r.workloads().getFirst().spec()).disk();
        assertThat(disk).isEqualTo(new Disk(null, null, new VmSpec.From("db", "nightly"), 2L << 30));
        assertThat(disk.source()).isEqualTo("snapshot nightly of db");
        assertThat(disk.sameBase(disk.withSize(4L << 30))).isTrue();
        assertThat(disk.sameBase(new Disk(null, null, new VmSpec.From("db", "weekly"), 2L << 30))).isFalse();
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) ((Map<String, Object>) CanonicalForm.toTree(r.workloads().getFirst())
                .get("spec")).get("disk");
        assertThat(tree).containsOnlyKeys("from", "size")
                .containsEntry("from", Map.of("workload", "db", "snapshot", "nightly"));
    }

    @Test
    void aSnapshotScheduleRoundTripsButIsNoPartOfTheSpecHash() {
        String vm = """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: db}
                spec:
                  resources:
                    limits: {cpu: "1", memory: 512Mi}
                  disk: {image: /var/lib/berth/images/base.qcow2}
                  snapshots: {schedule: "0 3 * * *", keep: 14}
                """;
        Workload w = CanonicalForm.fromJson(vm, Origin.unknown(Path.of("x.yaml")));
        VmSpec.SnapshotPolicy p = ((VmSpec) w.spec()).snapshots();
        assertThat(p.schedule().toString()).isEqualTo("0 3 * * *");
        assertThat(p.keep()).isEqualTo(14);
        Workload back = CanonicalForm.fromJson(CanonicalForm.toJson(w), Origin.unknown(Path.of("x.json")));
        assertThat(((VmSpec) back.spec()).snapshots()).isEqualTo(p);
        Workload without = CanonicalForm.fromJson(vm.replace("  snapshots: {schedule: \"0 3 * * *\", keep: 14}\n", ""),
                Origin.unknown(Path.of("y.yaml")));
        assertThat(((VmSpec) without.spec()).snapshots()).isNull();
        assertThat(CanonicalForm.specHash(w)).as("the schedule is policy, not the VM").isEqualTo(CanonicalForm.specHash(without));
        assertThat(((VmSpec) CanonicalForm.fromJson(vm.replace(", keep: 14", ""), Origin.unknown(Path.of("z.yaml"))).spec())
                .snapshots().keep()).as("default keep").isEqualTo(7);
    }

    @Test
    void aFileUrlIsAHostPathAndOnlyFromTheImageDirectories() {
        ManifestParser.ParseResult r = new ManifestParser(new HostPolicy(List.of(Path.of("/var/lib/berth/images"))))
                .parse(Path.of("vm.yaml"), """
                        apiVersion: berth.io/v1
                        kind: VirtualMachine
                        metadata: {name: vm}
                        spec:
                          resources: {limits: {cpu: "1", memory: 512Mi}}
                          disk: {image: {url: "file:///etc/shadow", sha256: %s}}
                        """.formatted("a".repeat(64)));
        assertThat(r.workloads()).isEmpty();
        assertThat(r.errors()).singleElement().asString().isEqualTo("vm.yaml:6:23: spec.disk.image.url: \"/etc/shadow\" is"
                + " outside the allowed image directories (valid: a file under /var/lib/berth/images; set BERTH_IMAGE_DIRS"
                + " to allow others)");
    }

    @Test
    void multiDocumentFileSkipsEmptyDocuments() {
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(DIR.resolve("multi.yaml").toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).extracting(Workload::name).containsExactly("one", "two", "three");
        assertThat(r.workloads()).extracting(w -> w.origin().line()).containsExactly(3, 12, 19);
        Workload two = r.workloads().get(1);
        assertThat(two.resources().limits()).isEqualTo(new Limits(2000, 2_000_000_000L));
        assertThat(two.spec()).isEqualTo(new VmSpec(Hypervisor.auto, new Disk("/var/lib/berth/images/base.qcow2", 0), null, null,
                new Network(NetworkType.user, null)));
        Workload three = r.workloads().get(2);
        assertThat(three.resources().limits()).isEqualTo(new Limits(1000, 1L << 30));
        assertThat(((ContainerSpec) three.spec()).image()).endsWith("@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    }

    @Test
    void directoryIsReadRecursivelyInNameOrderIgnoringDotfilesSwapFilesAndOtherExtensions() {
        Path tree = DIR.resolve("tree");
        // The ignored files hold broken YAML: reading any of them would show up as an error.
        for (String ignored : List.of(".hidden.yaml", ".config/config.yaml", "a.yaml.swp", "a.yaml~", "#a.yaml#",
                "notes.txt", "sub/old.yaml.bak", "sub/b.yml.orig")) {
            assertThat(tree.resolve(ignored)).as("fixture present").isRegularFile();
        }
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(tree.toString()));
        assertThat(r.errors()).isEmpty();
        assertThat(r.files()).containsExactly(tree.resolve("a.yaml"), tree.resolve("sub/b.yml"),
                tree.resolve("sub/deeper/c.yaml"), tree.resolve("z.yaml"));
        assertThat(r.workloads()).extracting(Workload::name).containsExactly("a", "b", "c", "z");
    }

    @Test
    void anExplicitlyNamedFileIsReadWhateverItsExtension() throws Exception {
        Path notes = DIR.resolve("tree/notes.txt");
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(notes.toString()));
        assertThat(r.files()).containsExactly(notes);
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0).origin().file()).isEqualTo(notes);
        assertThat(Files.readString(notes)).startsWith("this: [is not");
    }

    @Test
    void theSameMeaningSpelledDifferentlyGivesEqualWorkloads() {
        String a = """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: web, labels: {b: "2", a: "1"}}
                spec:
                  image: nginx
                  resources: {limits: {cpu: "0.5", memory: 1Gi}}
                  placement: {}
                  securityContext: {}
                """;
        String b = """
                {"apiVersion": "berth.io/v1", "kind": "Container",
                 "metadata": {"name": "web", "labels": {"a": "1", "b": "2"}},
                 "spec": {"resources": {"limits": {"cpu": "500m", "memory": "1073741824", "pids": 4096},
                                        "requests": {"cpu": 0.5, "memory": 1024Mi}},
                          "image": "nginx", "imagePullPolicy": "IfNotPresent", "restartPolicy": "Always",
                          "command": [], "env": [],
                          "securityContext": {"readOnlyRootFilesystem": false, "privileged": false}}}
                """;
        Workload wa = parseOne(a);
        Workload wb = parseOne(b);
        assertThat(wa.sameSpec(wb)).isTrue();
        assertThat(wa.labels().keySet()).containsExactly("a", "b");
    }

    @Test
    void unsetTimeoutShrinksToAShortInterval() {
        Workload w = parseOne("""
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: web}
                spec:
                  image: nginx
                  resources: {limits: {cpu: 1, memory: 1Gi}}
                  healthCheck: {command: [true], interval: 2s}
                """);
        assertThat(((ContainerSpec) w.spec()).healthCheck()).isEqualTo(new HealthCheck(List.of("true"), 2_000, 2_000, 3));
    }

    static Workload parseOne(String yaml) {
        ManifestParser.ParseResult r = new ManifestParser(HostPolicy.DEFAULT).parse(Path.of("test.yaml"), yaml);
        assertThat(r.errors()).isEmpty();
        assertThat(r.workloads()).hasSize(1);
        return r.workloads().get(0);
    }
}
