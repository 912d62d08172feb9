package io.berth.manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** VM image paths must stay inside the allowed directories, lexically and through symlinks. */
class HostPolicyTest {

    @TempDir
    Path root;

    @Test
    void filesInsideAllowedDirectoriesPass() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        Files.writeString(images.resolve("base.qcow2"), "x");
        HostPolicy policy = new HostPolicy(List.of(images));
        assertThat(policy.problem(images.resolve("base.qcow2").toString())).isNull();
        assertThat(policy.problem(images.resolve("sub/not-yet-there.qcow2").toString())).isNull();
    }

    @Test
    void dotDotEscapesAreRefused() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        HostPolicy policy = new HostPolicy(List.of(images));
        assertThat(policy.problem(images + "/../secret.qcow2")).contains("outside the allowed image directories");
        assertThat(policy.problem(images.toString())).as("the directory itself is no image").isNotNull();
        assertThat(policy.problem(root.resolve("images-other/x.qcow2").toString())).isNotNull();
    }

    @Test
    void symlinksPointingOutsideAreRefused() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        Path outside = Files.writeString(root.resolve("shadow"), "secret");
        Files.createSymbolicLink(images.resolve("innocent.qcow2"), outside);
        HostPolicy policy = new HostPolicy(List.of(images));
        assertThat(policy.problem(images.resolve("innocent.qcow2").toString()))
                .contains("resolves through a symlink to " + outside.toRealPath());
    }

    @Test
    void theLoaderReportsThePolicyAtTheField() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        Path manifest = Files.writeString(root.resolve("vm.yaml"), """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: vm}
                spec:
                  resources: {limits: {cpu: 1, memory: 256Mi}}
                  disk: {image: /etc/passwd}
                """);
        ManifestLoader.LoadResult r = new ManifestLoader(System.in, new HostPolicy(List.of(images)))
                .load(List.of(manifest.toString()));
        assertThat(r.workloads()).isEmpty();
        assertThat(r.errors()).singleElement().asString()
                .startsWith(manifest + ":6:17: spec.disk.image: \"/etc/passwd\" is outside the allowed image directories");
    }
}
