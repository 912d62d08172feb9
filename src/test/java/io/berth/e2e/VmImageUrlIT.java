package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.ImageServer;
import io.berth.testing.ImageServer.Mode;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VMs on base images by URL, through the real {@code ./agent}, libvirtd and a real HTTP server in
 * the test serving the host's real qcow2 base: the plan says it will download, the apply downloads
 * once (with progress on stderr), verifies and boots a VM whose disk is a clone of the downloaded
 * file; a second VM naming the same digest at another URL fetches nothing; a wrong checksum or a
 * truncated body is an error naming workload, URL and digests, with nothing left in the image
 * directory and no domain; the daemon reports the download as events and log lines.
 */
class VmImageUrlIT {

    static final Path BASE = Path.of("/var/lib/berth/images/base-64m.qcow2");

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final Agent agent = Agent.local("e2e-url-" + id);
    final String vm = "url-" + id;
    /** QEMU (libvirt-qemu) must reach the VM's disk and the downloaded base under it: not a 0700 JUnit directory. */
    final Path state = Virsh.stateDir("image-url");
    final Path images = state.resolve("images");
    final Map<String, String> env = Map.of("BERTH_STATE_DIR", state.toString(),
            "BERTH_IMAGE_DIRS", images + ":/var/lib/berth/images");

    @TempDir
    Path dir;

    ImageServer server;
    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
        Virsh.removeAgentDomains(agent.name());
        try (Stream<Path> files = Files.walk(state)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static String vmYaml(String name, String url, String sha256) {
        return """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: %s}
                spec:
                  hypervisor: qemu
                  resources:
                    limits: {cpu: "0.5", memory: 128Mi}
                  disk:
                    image: {url: "%s", sha256: %s}
                  kernel:
                    path: /var/lib/berth/images/vmlinuz
                    initrd: /var/lib/berth/images/initrd-busybox.img
                    cmdline: console=ttyS0 panic=-1
                """.formatted(name, url, sha256);
    }

    @Test
    void theApplyDownloadsOnceVerifiesAndBootsVmsCloningTheDownloadedImage() throws Exception {
        byte[] image = Files.readAllBytes(BASE);
        String sha = sha256(image);
        server = new ImageServer();
        String url = server.serve("/base.qcow2", image, Mode.RANGES);
        String mirror = server.serve("/mirror/base.qcow2", image, Mode.RANGES);
        Path downloaded = images.resolve("sha256-" + sha + ".img");
        Files.writeString(dir.resolve("vm.yaml"), vmYaml(vm, url, sha));

        Agent.Result plan = agent.run(env, "plan", "-f", dir.toString());
        assertThat(plan.exit()).as(plan.toString()).isEqualTo(2);
        assertThat(plan.out()).contains("download " + url + " first (unless the image directory has sha256-" + sha + ".img)");
        assertThat(server.requests("/base.qcow2")).as("the plan fetches nothing").isZero();

        Agent.Result apply = agent.run(env, "apply", "-f", dir.toString());
        assertThat(apply.exit()).as(apply.toString()).isZero();
        assertThat(apply.out()).contains(vm + ": created", "downloaded " + url + " to " + downloaded);
        assertThat(apply.err()).as("plain progress lines: stderr is no terminal here")
                .contains(vm + ": downloading " + url + " (0.2 MiB)", vm + ": downloaded " + url + " (0.2 MiB), sha256 verified")
                .doesNotContain("\r");
        assertThat(server.requests("/base.qcow2")).isEqualTo(1);
        assertThat(sha256(Files.readAllBytes(downloaded))).isEqualTo(sha);
        assertThat(listing()).containsExactly(downloaded.getFileName().toString());
        assertThat(Virsh.ok("domstate", "berth-" + vm)).isEqualTo("running");
        assertThat(backingOf(vm)).isEqualTo(downloaded.toString());

        Agent.Result again = agent.run(env, "plan", "-f", dir.toString());
        assertThat(again.exit()).as("the recorded url and sha256 read back as the same spec: " + again).isZero();

        Files.writeString(dir.resolve("second.yaml"), vmYaml(vm + "-b", mirror, sha));
        Agent.Result second = agent.run(env, "apply", "-f", dir.toString());
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains(vm + "-b: created", "base image " + mirror + " already downloaded: " + downloaded);
        assertThat(server.requests("/mirror/base.qcow2")).as("the same digest is not downloaded again").isZero();
        assertThat(server.requests("/base.qcow2")).isEqualTo(1);
        assertThat(backingOf(vm + "-b")).isEqualTo(downloaded.toString());

        // Another digest is another image: the recreate clones it and keeps the old disk aside, as for a new path.
        Path other = dir.resolve("other.qcow2");
        assertThat(io.berth.testing.Processes.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", other.toString(), "80M"),
                Map.of(), dir, Duration.ofSeconds(30)).exit()).isZero();
        byte[] otherImage = Files.readAllBytes(other);
        String otherUrl = server.serve("/other.qcow2", otherImage, Mode.RANGES);
        Files.writeString(dir.resolve("vm.yaml"), vmYaml(vm, otherUrl, sha256(otherImage)));
        Agent.Result replacing = agent.run(env, "plan", "-f", dir.toString());
        assertThat(replacing.out()).as(replacing.toString()).contains("its disk is replaced by a new clone of " + otherUrl,
                "the old disk is kept aside under STATE/deleted/" + vm);
        Agent.Result replaced = agent.run(env, "apply", "-f", dir.toString());
        assertThat(replaced.exit()).as(replaced.toString()).isZero();
        assertThat(replaced.out()).contains(vm + ": recreated", "downloaded " + otherUrl);
        assertThat(backingOf(vm)).isEqualTo(images.resolve("sha256-" + sha256(otherImage) + ".img").toString());
        try (Stream<Path> kept = Files.walk(state.resolve("deleted").resolve(vm))) {
            assertThat(kept.filter(p -> p.getFileName().toString().equals("disk.qcow2")).count()).isEqualTo(1);
        }
    }

    @Test
    void aWrongChecksumOrATruncatedDownloadIsAnErrorAndLeavesNeitherFilesNorDomains() throws Exception {
        byte[] image = Files.readAllBytes(BASE);
        String sha = sha256(image);
        byte[] other = image.clone();
        other[other.length - 1] ^= 1;
        server = new ImageServer();
        String wrong = server.serve("/wrong.qcow2", other, Mode.RANGES);
        String truncated = server.serve("/truncated.qcow2", image, Mode.TRUNCATED);
        Files.writeString(dir.resolve("bad.yaml"), vmYaml(vm, wrong, sha) + "---\n" + vmYaml(vm + "-t", truncated, sha));

        Agent.Result apply = agent.run(env, "apply", "-f", dir.toString());

        assertThat(apply.exit()).as(apply.toString()).isNotZero();
        assertThat(apply.out() + apply.err()).contains(vm + ": base image " + wrong + " not used: its sha256 is " + sha256(other)
                        + ", not the manifest's " + sha, "; nothing was kept")
                .contains(vm + "-t: base image " + truncated + " not used: the download broke off after 4 tries");
        assertThat(listing()).as("nothing left in the image directory").isEmpty();
        for (String name : List.of(vm, vm + "-t")) {
            assertThat(Virsh.run("domstate", "berth-" + name).exit()).as("no domain " + name).isNotZero();
            assertThat(state.resolve("vms").resolve(name)).doesNotExist();
        }
    }

    @Test
    void theDaemonReportsTheDownloadAsEventsAndLogLines() throws Exception {
        byte[] image = Files.readAllBytes(BASE);
        String sha = sha256(image);
        server = new ImageServer();
        String url = server.serve("/base.qcow2", image, Mode.RANGES);
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        daemon = DaemonProcess.start(manifests, state, agent.name(), Map.of("BERTH_IMAGE_DIRS", images + ":/var/lib/berth/images"));

        Files.writeString(manifests.resolve("vm.yaml"), vmYaml(vm, url, sha));
        daemon.await("the VM runs", Duration.ofSeconds(120), () -> Virsh.run("domstate", "berth-" + vm).out().equals("running"));

        String events = daemon.get("/api/v1/events", daemon.token()).body();
        assertThat(events).contains("ImageDownloading", "downloading " + url + " (0.2 MiB)", "ImageDownloaded",
                url + ": 0.2 MiB, sha256 verified");
        assertThat(daemon.log()).contains(vm + ": downloading " + url, vm + ": " + url + ": 0.2 MiB, sha256 verified");
        assertThat(server.requests("/base.qcow2")).isEqualTo(1);
    }

    private String backingOf(String name) {
        String info = Virsh.ok("domblklist", "berth-" + name, "--details");
        assertThat(info).contains(state.resolve("vms").resolve(name).resolve("disk.qcow2").toString());
        io.berth.testing.Processes.Result r = io.berth.testing.Processes.run(List.of("qemu-img", "info", "-U", "--output=json",
                state.resolve("vms").resolve(name).resolve("disk.qcow2").toString()), Map.of(), state, Duration.ofSeconds(30));
        return r.out().replaceAll("(?s).*\"backing-filename\": \"([^\"]+)\".*", "$1");
    }

    private List<String> listing() throws Exception {
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(images)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
