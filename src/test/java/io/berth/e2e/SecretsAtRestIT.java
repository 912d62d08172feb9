package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.GitRepo;
import io.berth.testing.Manifests;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets at rest against a real daemon, Docker and libvirtd: an env value and cloud-init user
 * data reach the container and the VM, but neither Berth's Docker labels, the domain XML, plans,
 * {@code get}, {@code describe}, the API nor events; a re-apply plans nothing and a changed value
 * plans a change without showing it; and every file Berth wrote under its state directory is
 * 0600 (directories 0700, 0711 where qemu must pass).
 */
class SecretsAtRestIT {

    static final String SECRET = "s3cr3t-" + UUID.randomUUID().toString().substring(0, 4);

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-secret-" + id;
    final Agent agent = new Agent(agentName);
    final String web = "sweb-" + id;
    final String vm = "svm-" + id;
    final Path state = Virsh.stateDir("secrets"); // qemu must reach the VM's disk under it

    @TempDir
    Path manifests;
    @TempDir
    Path elsewhere;
    @TempDir
    Path gitDir;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agentName);
        Virsh.removeAgentDomains(agentName);
        try (Stream<Path> all = Files.walk(state)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    String container(String password) {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources: {limits: {cpu: 100m, memory: 32Mi}}
                  image: berth/busybox:1
                  command: ["sh", "-c", "%s"]
                  env: [{name: PASSWORD, value: %s}, {name: MODE, value: prod}]
                """.formatted(web, Manifests.SLEEP, password);
    }

    String vmYaml(String password) {
        return Manifests.tinyVmYaml(vm, "1", "128Mi", "") + "  cloudInit: {userData: \"#cloud-config\\npassword: "
                + password + "\\nchpasswd: {expire: false}\\n\"}\n";
    }

    @Test
    void secretsReachTheWorkloadsButNoneOfBerthsRecordsAndEveryFileIs0600() throws Exception {
        Files.writeString(manifests.resolve("web.yaml"), container(SECRET));
        GitRepo repo = GitRepo.create(gitDir);
        repo.write("fleet/README.md", "nothing placed here yet\n");
        repo.commit("empty fleet");
        daemon = DaemonProcess.start(manifests, state, agentName, Map.of("BERTH_GIT_URL", repo.url(),
                "BERTH_GIT_PATH", "fleet"));
        Map<String, String> client = daemon.clientEnv();
        Path vmFile = elsewhere.resolve("vm.yaml");
        Files.writeString(vmFile, vmYaml(SECRET));
        Agent.Result applyVm = agent.run(client, "apply", "-f", vmFile.toString()); // an API source: STATE/sources
        assertThat(applyVm.exit()).as(applyVm.toString()).isZero();
        assertThat(applyVm.toString()).doesNotContain(SECRET);

        String c = "berth-" + web;
        daemon.await("container running", () -> Docker.run("inspect", c).exit() == 0
                && Docker.inspect(c, "{{.State.Status}}").equals("running"));
        assertThat(Docker.inspect(c, "{{json .Config.Labels}}")).doesNotContain(SECRET).contains("hmac-sha256:");
        assertThat(Docker.inspect(c, "{{json .Config.Env}}")).as("the container still gets its value")
                .contains("PASSWORD=" + SECRET);
        String xml = Virsh.ok("dumpxml", "berth-" + vm);
        assertThat(xml).doesNotContain(SECRET).contains("\"userData\":\"hmac-sha256:");
        assertThat(Virsh.ok("domstate", "berth-" + vm)).isEqualTo("running");

        for (List<String> cmd : List.of(List.of("plan", "-f", manifests.toString()), List.of("plan", "-f", vmFile.toString()))) {
            Agent.Result plan = agent.run(client, cmd.toArray(String[]::new));
            assertThat(plan.exit()).as("a re-apply plans no change: " + plan).isZero();
        }
        Agent.Result local = agent.run(Map.of("BERTH_STATE_DIR", state.toString()), "plan", "--local", "-f",
                manifests.toString(), "-f", vmFile.toString());
        assertThat(local.exit()).as("local mode shares the state directory's key: " + local).isZero();
        for (String[] cmd : new String[][] {{"get", "-o", "yaml"}, {"describe", web, "-o", "yaml"},
                {"describe", vm, "-o", "yaml"}, {"plan", "-f", manifests.toString(), "-o", "yaml"}}) {
            Agent.Result r = agent.run(client, cmd);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.toString()).doesNotContain(SECRET);
        }
        for (String path : List.of("/api/v1/workloads/" + web, "/api/v1/workloads/" + vm, "/api/v1/workloads",
                "/api/v1/events")) {
            var r = daemon.get(path, daemon.token());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain(SECRET);
        }
        assertThat(daemon.get("/api/v1/workloads/" + web, daemon.token()).body()).contains("\"name\":\"PASSWORD\"");

        Files.writeString(elsewhere.resolve("web.yaml"), container("n3w-" + SECRET));
        Agent.Result changed = agent.run(client, "plan", "-f", elsewhere.resolve("web.yaml").toString());
        assertThat(changed.exit()).as(changed.toString()).isEqualTo(2);
        assertThat(changed.out()).contains("spec.env[PASSWORD]: (secret) → (changed)").doesNotContain(SECRET);
        Files.writeString(vmFile, vmYaml("other"));
        Agent.Result vmChanged = agent.run(client, "plan", "-f", vmFile.toString());
        assertThat(vmChanged.exit()).as(vmChanged.toString()).isEqualTo(2);
        assertThat(vmChanged.out()).contains("spec.cloudInit.userData: (secret) → (changed)").doesNotContain(SECRET);
        daemon.await("git source fetched", () -> Files.exists(state.resolve("git/status.json")));

        daemon.close();
        daemon = null;
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> all = Files.walk(state)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(state.resolve("daemon.log")) || Files.isSymbolicLink(p)) {
                    continue; // the test's own redirect of the daemon's output
                }
                modes.put(state.relativize(p).toString(), PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            }
        }
        assertThat(modes).containsKeys("token", "spec-key", "sources", "git/status.json", "git/cache.git",
                "vms/" + vm + "/disk.qcow2", "vms/" + vm + "/seed.iso", "vms/" + vm + "/console.log");
        System.out.println("modes under the state directory: " + modes);
        Map<String, String> traversable = Map.of("", "rwx--x--x", "vms", "rwx--x--x", "vms/" + vm, "rwx--x--x");
        modes.forEach((path, mode) -> {
            Path p = state.resolve(path);
            if (traversable.containsKey(path)) {
                assertThat(mode).as(path).isEqualTo(traversable.get(path));
            } else if (Files.isDirectory(p)) {
                assertThat(mode).as(path).isEqualTo("rwx------");
            } else {
                assertThat(mode).as(path).matches("[r-][w-]-------");
            }
        });
    }
}
