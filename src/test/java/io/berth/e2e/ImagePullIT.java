package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Container image pulls with progress, through the real {@code ./agent apply --local} against the
 * real Docker Engine pulling from a real registry (Debian's docker-registry on 127.0.0.1): the
 * image of a 16 MiB layer is pulled once with a start line, progress lines as the layers arrive
 * (plain lines, stderr is not a terminal here) and an end line with what was downloaded, and the
 * container runs; a tag the registry does not have fails naming the workload and the image, with
 * the start line and no end line, and creates nothing. The daemon records a pull as events and
 * log lines.
 */
class ImagePullIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-pull-" + id;
    final Agent agent = Agent.local(agentName);
    final List<String> images = new ArrayList<>();

    @TempDir
    Path dir;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agentName);
        Docker.run("rm", "-f", "pull-src-" + id);
        for (String image : images) {
            Docker.run("rmi", "-f", image);
        }
    }

    String container(String name, String image) {
        return "apiVersion: berth.io/v1\nkind: Container\nmetadata: {name: " + name + "}\nspec:\n"
                + "  image: " + image + "\n  imagePullPolicy: IfNotPresent\n"
                + "  resources: {limits: {cpu: 100m, memory: 32Mi}}\n  command: [sleep, '3600']\n";
    }

    /** Pushes an image of one 16 MiB layer of random data to {@code registry}, leaving none of it on this host. */
    String pushedImage(Registry registry, String tag) {
        Docker.ok("run", "--name", "pull-src-" + id, "berth/busybox:1", "dd", "if=/dev/urandom", "of=/blob", "bs=1048576", "count=16");
        String local = "berth-e2e/pull-" + id + ":" + tag;
        Docker.ok("commit", "pull-src-" + id, local);
        Docker.ok("rm", "pull-src-" + id);
        images.add(local);
        String ref = registry.push(local, "berth-e2e/pull-" + id + ":" + tag);
        images.add(ref);
        Docker.ok("rmi", ref, local); // the layer too: otherwise the engine finds it and downloads nothing
        assertThat(Docker.run("image", "inspect", ref).exit()).as("not on this host before the apply").isNotZero();
        return ref;
    }

    @Test
    void aPullShowsItsProgressAndAMissingTagFailsNamingTheImage() throws Exception {
        try (Registry registry = new Registry(Files.createDirectories(dir.resolve("registry")))) {
            String ref = pushedImage(registry, "1");

            String name = "pulled-" + id;
            Path ok = dir.resolve("ok.yaml");
            Files.writeString(ok, container(name, ref));
            Agent.Result r = agent.run("apply", "-f", ok.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            List<String> lines = r.err().lines().filter(l -> l.startsWith(name + ": ")).toList();
            assertThat(lines).as(r.toString()).first().isEqualTo(name + ": pulling image " + ref);
            assertThat(lines).as("progress lines while the layers arrive: " + r)
                    .anyMatch(l -> l.matches(java.util.regex.Pattern.quote(name) + ": \\d+\\.\\d MiB of \\d+\\.\\d MiB \\(\\d+%\\)"));
            assertThat(lines).as(r.toString())
                    .anyMatch(l -> l.matches(java.util.regex.Pattern.quote(name + ": pulled image " + ref + " (") + "1[6-9]\\.\\d MiB downloaded\\)"));
            assertThat(Docker.inspect("berth-" + name, "{{.State.Running}}")).isEqualTo("true");
            assertThat(Docker.run("image", "inspect", ref).exit()).as("pulled").isZero();

            String missing = registry.host() + "/berth-e2e/pull-" + id + ":absent";
            String bad = "unpulled-" + id;
            Path no = dir.resolve("no.yaml");
            Files.writeString(no, container(bad, missing));
            Agent.Result f = agent.run("apply", "-f", no.toString());
            assertThat(f.exit()).as(f.toString()).isNotZero();
            assertThat(f.err() + f.out()).as(f.toString())
                    .contains(bad + ": pulling image " + missing)
                    .contains(bad + ": image " + missing + " could not be pulled")
                    .doesNotContain(bad + ": pulled image");
            assertThat(Docker.run("container", "inspect", "berth-" + bad).exit()).as("nothing created").isNotZero();
        }
    }

    @Test
    void theDaemonRecordsAPullAsEventsAndLogLines() throws Exception {
        try (Registry registry = new Registry(Files.createDirectories(dir.resolve("registry")))) {
            String ref = pushedImage(registry, "2");
            Path manifests = Files.createDirectories(dir.resolve("manifests"));
            Path state = Files.createDirectories(dir.resolve("state"));
            daemon = DaemonProcess.start(manifests, state, agentName, java.util.Map.of());
            String name = "daemon-pulled-" + id;
            Files.writeString(manifests.resolve("c.yaml"), container(name, ref));
            daemon.await("the container runs", java.time.Duration.ofSeconds(90),
                    () -> Docker.run("inspect", "-f", "{{.State.Running}}", "berth-" + name).out().equals("true"));
            String events = daemon.get("/api/v1/events", daemon.token()).body();
            assertThat(events).contains("ImagePulling", "pulling image " + ref, "ImagePulled").containsPattern(
                    java.util.regex.Pattern.quote(ref + ": ") + "1[6-9]\\.\\d MiB downloaded");
            assertThat(daemon.log()).contains(name + ": pulling image " + ref, name + ": " + ref + ": ");
        }
    }
}
