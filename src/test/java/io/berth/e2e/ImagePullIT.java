package io.berth.e2e;

import io.berth.testing.Agent;
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
 * the start line and no end line, and creates nothing.
 */
class ImagePullIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-pull-" + id;
    final Agent agent = Agent.local(agentName);
    final List<String> images = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
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

    @Test
    void aPullShowsItsProgressAndAMissingTagFailsNamingTheImage() throws Exception {
        Path regDir = Files.createDirectories(dir.resolve("registry"));
        try (Registry registry = new Registry(regDir)) {
            // An image with one 16 MiB layer of random data (so the engine reports its download in steps).
            Docker.ok("run", "--name", "pull-src-" + id, "berth/busybox:1", "dd", "if=/dev/urandom", "of=/blob", "bs=1048576", "count=16");
            String local = "berth-e2e/pull-" + id + ":1";
            Docker.ok("commit", "pull-src-" + id, local);
            images.add(local);
            String ref = registry.push(local, "berth-e2e/pull-" + id + ":1");
            images.add(ref);
            Docker.ok("rmi", ref, local); // the layer too: otherwise the engine finds it and downloads nothing
            assertThat(Docker.run("image", "inspect", ref).exit()).as("not on this host before the apply").isNotZero();

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
}
