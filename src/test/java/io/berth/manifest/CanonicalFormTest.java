package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CanonicalFormTest {

    private static final Origin LABEL = new Origin(Path.of("<label>"), 1, 1);

    static Workload rich() {
        return ValidFixturesTest.only("container-rich.yaml");
    }

    static Workload vm() {
        return ValidFixturesTest.only("vm.yaml");
    }

    @Test
    void minimalContainerHasThisExactJson() {
        Workload w = ValidFixturesTest.only("container-minimal.yaml");
        assertThat(CanonicalForm.toJson(w)).isEqualTo("{\"apiVersion\":\"berth.io/v1\",\"kind\":\"Container\","
                + "\"metadata\":{\"name\":\"tiny\"},\"spec\":{\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"64Mi\","
                + "\"pids\":4096},\"requests\":{\"cpu\":\"500m\",\"memory\":\"64Mi\"}},\"image\":\"busybox\","
                + "\"imagePullPolicy\":\"IfNotPresent\",\"restartPolicy\":\"Always\"}}");
    }

    @Test
    void vmHasThisExactJson() {
        assertThat(CanonicalForm.toJson(vm())).isEqualTo("{\"apiVersion\":\"berth.io/v1\",\"kind\":\"VirtualMachine\","
                + "\"metadata\":{\"name\":\"db\",\"labels\":{\"role\":\"database\"}},\"spec\":{\"resources\":{\"limits\":"
                + "{\"cpu\":\"1500m\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}},\"hypervisor\":\"kvm\","
                + "\"disk\":{\"image\":\"/var/lib/berth/images/debian-12-genericcloud-amd64.qcow2\",\"size\":\"10Gi\"},"
                + "\"kernel\":{\"path\":\"/var/lib/berth/images/vmlinuz\",\"initrd\":\"/var/lib/berth/images/initrd.img\","
                + "\"cmdline\":\"console=ttyS0\"},\"cloudInit\":{\"userData\":\"#cloud-config\\nhostname: db\\n\"},"
                + "\"network\":{\"type\":\"bridge\",\"source\":\"br0\"}}}");
    }

    @Test
    void treeIsOrderedWithDefaultsWrittenOut() {
        Map<String, Object> tree = CanonicalForm.toTree(rich());
        assertThat(tree.keySet()).containsExactly("apiVersion", "kind", "metadata", "spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) tree.get("spec");
        assertThat(spec.keySet()).containsExactly("resources", "placement", "image", "imagePullPolicy", "command", "args",
                "env", "ports", "volumes", "restartPolicy", "healthCheck", "securityContext");
        assertThat(spec.get("resources")).isEqualTo(Map.of(
                "limits", Map.of("cpu", "500m", "memory", "256Mi", "pids", 512L),
                "requests", Map.of("cpu", "100m", "memory", "128Mi")));
        assertThat(spec.get("healthCheck")).isEqualTo(Map.of("command", List.of("wget", "-qO-", "http://127.0.0.1/"),
                "interval", "1m30s", "timeout", "2s", "retries", 5));
        assertThat((List<?>) spec.get("volumes")).element(1)
                .isEqualTo(Map.of("name", "cache", "mountPath", "/var/cache/nginx", "readOnly", false));
        assertThat((List<?>) spec.get("ports")).element(2)
                .isEqualTo(Map.of("containerPort", 9090, "hostPort", 0, "protocol", "tcp"));
    }

    @Test
    void roundTripsRichContainerAndVm() {
        for (Workload w : List.of(rich(), vm(), ValidFixturesTest.only("container-minimal.yaml"))) {
            Workload back = CanonicalForm.fromJson(CanonicalForm.toJson(w), LABEL);
            assertThat(back.sameSpec(w)).as(w.name()).isTrue();
            assertThat(back).isEqualTo(new Workload(w.name(), w.labels(), w.resources(), w.placement(), w.spec(), LABEL));
            assertThat(CanonicalForm.toJson(back)).isEqualTo(CanonicalForm.toJson(w));
        }
    }

    @Test
    void awkwardStringsSurviveTheRoundTrip() {
        String[] values = {"no", "0123", "null", "~", "true", "1e3", "", " lead and trail ", "multi\nline\n", "tab\there",
                "\u0001ctrl", "caf\u00e9", "emoji \uD83D\uDE00", "line\u2028sep", "next\u0085line", "quote\" back\\slash",
                "{not: a map}", "[1, 2]", "# not a comment", "key: value", "'single'", "&anchor *alias", "\uFEFFbom"};
        List<EnvVar> env = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            env.add(new EnvVar("V" + i, values[i]));
        }
        Workload base = rich();
        ContainerSpec c = (ContainerSpec) base.spec();
        Workload w = new Workload(base.name(), new TreeMap<>(Map.of("k", "<x a=\"1\">&amp;]]>\u00e9")), base.resources(),
                base.placement(), new ContainerSpec(c.image(), c.imagePullPolicy(), List.of(values), List.of(), env, c.ports(),
                c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()), base.origin());
        String json = CanonicalForm.toJson(w);
        assertThat(json.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)).as("ASCII only").isTrue();
        assertThat(CanonicalForm.fromJson(json, LABEL).sameSpec(w)).isTrue();
    }

    @Test
    void hashIsHexSha256AndStable() {
        String hash = CanonicalForm.specHash(rich());
        assertThat(hash).matches("[0-9a-f]{64}").isEqualTo(CanonicalForm.specHash(rich()));
        Workload elsewhere = new Workload("web", rich().labels(), rich().resources(), rich().placement(), rich().spec(), LABEL);
        assertThat(CanonicalForm.specHash(elsewhere)).as("origin is not part of the spec").isEqualTo(hash);
    }

    /** kubernetes#136931: a hash over some fields misses edits to the others. Edit each one. */
    @Test
    void everyFieldEditChangesTheHash() {
        Workload w = rich();
        ContainerSpec c = (ContainerSpec) w.spec();
        Resources r = w.resources();
        List<Workload> edits = new ArrayList<>();
        edits.add(new Workload("web2", w.labels(), r, w.placement(), c, w.origin()));
        edits.add(new Workload(w.name(), Map.of("tier", "frontend"), r, w.placement(), c, w.origin()));
        edits.add(w.withResources(new Resources(new Limits(501, r.limits().memoryBytes()), r.requests(), r.pids())));
        edits.add(w.withResources(new Resources(new Limits(500, r.limits().memoryBytes() + 1), r.requests(), r.pids())));
        edits.add(w.withResources(new Resources(r.limits(), new Limits(101, r.requests().memoryBytes()), r.pids())));
        edits.add(w.withResources(new Resources(r.limits(), new Limits(100, r.requests().memoryBytes() + 1), r.pids())));
        edits.add(w.withResources(new Resources(r.limits(), r.requests(), 513)));
        edits.add(new Workload(w.name(), w.labels(), r, new Placement("node-b", w.placement().labels()), c, w.origin()));
        edits.add(new Workload(w.name(), w.labels(), r, new Placement("node-a", Map.of()), c, w.origin()));
        edits.add(new Workload(w.name(), w.labels(), r, null, c, w.origin()));
        for (ContainerSpec s : containerEdits(c)) {
            edits.add(new Workload(w.name(), w.labels(), r, w.placement(), s, w.origin()));
        }
        Set<String> hashes = new HashSet<>();
        hashes.add(CanonicalForm.specHash(w));
        for (Workload e : edits) {
            assertThat(hashes.add(CanonicalForm.specHash(e))).as(e.toString()).isTrue();
        }

        Workload v = vm();
        VmSpec s = (VmSpec) v.spec();
        List<VmSpec> vmEdits = List.of(
                new VmSpec(Hypervisor.qemu, s.disk(), s.kernel(), s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), new Disk("/other.qcow2", s.disk().sizeBytes()), s.kernel(), s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), new Disk(s.disk().image(), 0), s.kernel(), s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), s.disk(), null, s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), s.disk(), new Kernel(s.kernel().path(), null, s.kernel().cmdline()), s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), s.disk(), new Kernel(s.kernel().path(), s.kernel().initrd(), "quiet"), s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), s.disk(), new Kernel("/vmlinuz2", s.kernel().initrd(), s.kernel().cmdline()), s.cloudInit(), s.network()),
                new VmSpec(s.hypervisor(), s.disk(), s.kernel(), new CloudInit("#cloud-config\n"), s.network()),
                new VmSpec(s.hypervisor(), s.disk(), s.kernel(), null, s.network()),
                new VmSpec(s.hypervisor(), s.disk(), s.kernel(), s.cloudInit(), new Network(NetworkType.bridge, "br1")),
                new VmSpec(s.hypervisor(), s.disk(), s.kernel(), s.cloudInit(), new Network(NetworkType.network, "br0")));
        hashes.add(CanonicalForm.specHash(v));
        for (VmSpec e : vmEdits) {
            Workload edited = new Workload(v.name(), v.labels(), v.resources(), v.placement(), e, v.origin());
            assertThat(hashes.add(CanonicalForm.specHash(edited))).as(e.toString()).isTrue();
        }
    }

    private static List<ContainerSpec> containerEdits(ContainerSpec c) {
        List<ContainerSpec> out = new ArrayList<>();
        out.add(new ContainerSpec("nginx:1.28", c.imagePullPolicy(), c.command(), c.args(), c.env(), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        out.add(new ContainerSpec(c.image(), PullPolicy.Never, c.command(), c.args(), c.env(), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), List.of(), c.args(), c.env(), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        // Moving an item from command to args must change the hash too.
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), List.of(), List.of("nginx", "-g", "daemon off;"), c.env(), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), List.of("daemon off;", "-g"), c.env(), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env().subList(1, c.env().size()), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        List<EnvVar> env = new ArrayList<>(c.env());
        env.set(0, new EnvVar("MODE", "dev"));
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), env, c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        for (Port p : List.of(new Port(81, 8080, "127.0.0.1", Protocol.tcp), new Port(80, 8081, "127.0.0.1", Protocol.tcp),
                new Port(80, 8080, null, Protocol.tcp), new Port(80, 8080, "127.0.0.1", Protocol.udp))) {
            List<Port> ports = new ArrayList<>(c.ports());
            ports.set(0, p);
            out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env(), ports, c.volumes(), c.restartPolicy(), c.healthCheck(), c.securityContext()));
        }
        for (VolumeMount v : List.of(new VolumeMount("other", "/data", true), new VolumeMount("web-data", "/srv", true),
                new VolumeMount("web-data", "/data", false))) {
            List<VolumeMount> volumes = new ArrayList<>(c.volumes());
            volumes.set(0, v);
            out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env(), c.ports(), volumes, c.restartPolicy(), c.healthCheck(), c.securityContext()));
        }
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env(), c.ports(), c.volumes(), RestartPolicy.Never, c.healthCheck(), c.securityContext()));
        HealthCheck h = c.healthCheck();
        for (HealthCheck e : List.of(new HealthCheck(List.of("true"), h.intervalMillis(), h.timeoutMillis(), h.retries()),
                new HealthCheck(h.command(), h.intervalMillis() + 1, h.timeoutMillis(), h.retries()),
                new HealthCheck(h.command(), h.intervalMillis(), h.timeoutMillis() + 1, h.retries()),
                new HealthCheck(h.command(), h.intervalMillis(), h.timeoutMillis(), h.retries() + 1))) {
            out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env(), c.ports(), c.volumes(), c.restartPolicy(), e, c.securityContext()));
        }
        out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env(), c.ports(), c.volumes(), c.restartPolicy(), null, c.securityContext()));
        for (SecurityContext s : List.of(new SecurityContext("1000", true, false), new SecurityContext(null, true, false),
                new SecurityContext("1000:1000", false, false), new SecurityContext("1000:1000", true, true))) {
            out.add(new ContainerSpec(c.image(), c.imagePullPolicy(), c.command(), c.args(), c.env(), c.ports(), c.volumes(), c.restartPolicy(), c.healthCheck(), s));
        }
        out.add(c.withNetworks(List.of(new ContainerSpec.NetworkAttachment("backend", List.of()))));
        out.add(c.withNetworks(List.of(new ContainerSpec.NetworkAttachment("backend", List.of("db")))));
        out.add(c.withNetworks(List.of(new ContainerSpec.NetworkAttachment("frontend", List.of("db")))));
        return out;
    }

    @Test
    void fromJsonRefusesAnythingButOneValidWorkload() {
        assertThatThrownBy(() -> CanonicalForm.fromJson("{\"apiVersion\":\"berth.io/v1\"}", LABEL))
                .isInstanceOf(ManifestException.class)
                .satisfies(e -> assertThat(((ManifestException) e).errors()).isNotEmpty());
        assertThatThrownBy(() -> CanonicalForm.fromJson("", LABEL)).isInstanceOf(ManifestException.class)
                .hasMessageContaining("expected exactly one workload, found 0");
        String one = CanonicalForm.toJson(rich());
        String two = one + "\n---\n" + one.replace("\"name\":\"web\"", "\"name\":\"web2\"");
        assertThatThrownBy(() -> CanonicalForm.fromJson(two, LABEL)).isInstanceOf(ManifestException.class)
                .hasMessageContaining("found 2");
        assertThatThrownBy(() -> CanonicalForm.fromJson("{\"broken\": [", LABEL)).isInstanceOf(ManifestException.class);
    }
}
