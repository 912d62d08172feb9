package io.berth.manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A base image's backing chain: parsed from recorded {@code qemu-img info --backing-chain} answers
 * (src/test/resources/qemu-img, recorded with qemu-img 7.2), and walked with the real qemu-img
 * over images made in a temporary directory, where a backing file or a symlink leads outside.
 */
class ImageChainTest {

    @TempDir
    Path tmp;

    static String fixture(String name) throws Exception {
        return Files.readString(Path.of(Objects.requireNonNull(ImageChainTest.class.getResource("/qemu-img/" + name)).toURI()));
    }

    @Test
    void aRecordedChainParsesElementByElement() throws Exception {
        List<ImageChain.Element> chain = ImageChain.parseChain(Path.of("/tmp/chaintest/ov.qcow2"),
                fixture("chain-overlay-on-base.json"));
        assertThat(chain).extracting(e -> e.path().toString())
                .containsExactly("/tmp/chaintest/ov.qcow2", "/var/lib/berth/images/base-64m.qcow2");
        assertThat(chain).extracting(ImageChain.Element::virtualSize).containsExactly(134217728L, 67108864L);
        assertThat(chain.getLast().backing()).isNull();
        assertThat(chain.getFirst().format()).isEqualTo("qcow2");
    }

    @Test
    void aRecordedChainThatLeavesTheImageDirectoriesIsRefusedNamingTheElement() throws Exception {
        // The recorded paths, re-rooted in a temporary directory where the files exist.
        String json = fixture("chain-escapes.json").replace("/tmp/chaintest", tmp.toString());
        Files.createDirectories(tmp.resolve("imgs"));
        Files.createDirectories(tmp.resolve("outside"));
        for (String f : List.of("imgs/top.qcow2", "imgs/a.qcow2", "outside/b.qcow2")) {
            Files.writeString(tmp.resolve(f), "x");
        }
        List<ImageChain.Element> chain = ImageChain.parseChain(tmp.resolve("imgs/top.qcow2"), json);
        assertThat(chain).hasSize(3);
        String problem = ImageChain.problem(new HostPolicy(List.of(tmp.resolve("imgs"))), chain);
        assertThat(problem).startsWith("its backing file " + tmp.resolve("outside/b.qcow2") + " (element 3 of the chain of "
                + tmp.resolve("imgs/top.qcow2") + "): ").contains("is outside the allowed image directories");
        assertThat(ImageChain.problem(new HostPolicy(List.of(tmp)), chain)).isNull();
    }

    @Test
    void aBackingFileThatIsNoFileIsRefused() throws Exception {
        Files.createDirectories(tmp.resolve("imgs"));
        Files.writeString(tmp.resolve("imgs/nbd.qcow2"), "x");
        List<ImageChain.Element> chain = ImageChain.parseChain(tmp.resolve("imgs/nbd.qcow2"), fixture("chain-nbd.json"));
        assertThat(ImageChain.problem(new HostPolicy(List.of(tmp.resolve("imgs"))), chain))
                .startsWith("its backing file nbd://127.0.0.1:10809/x (element 2 of the chain")
                .contains("is not an absolute file path");
        assertThatThrownBy(() -> ImageChain.parseChain(tmp, "{\"format\": \"qcow2\"}")).isInstanceOf(IOException.class);
    }

    private void qemuImg(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void theRealChainIsWalkedAndEveryElementChecked() throws Exception {
        assumeThat(ImageChain.available()).as("qemu-img installed").isTrue();
        Path imgs = Files.createDirectories(tmp.resolve("imgs"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        HostPolicy policy = new HostPolicy(List.of(imgs));
        qemuImg(imgs.resolve("base.qcow2").toString(), "64M");
        qemuImg("-F", "qcow2", "-b", imgs.resolve("base.qcow2").toString(), imgs.resolve("mid.qcow2").toString());
        assertThat(ImageChain.walk(policy, imgs.resolve("mid.qcow2"))).extracting(e -> e.path().getFileName().toString())
                .containsExactly("mid.qcow2", "base.qcow2");
        assertThat(ImageChain.problem(policy, imgs.resolve("mid.qcow2"))).isNull();

        qemuImg(outside.resolve("secret.qcow2").toString(), "64M");
        qemuImg("-F", "qcow2", "-b", outside.resolve("secret.qcow2").toString(), imgs.resolve("escapes.qcow2").toString());
        assertThat(ImageChain.problem(policy, imgs.resolve("escapes.qcow2")))
                .startsWith("its backing file " + outside.resolve("secret.qcow2") + " (element 2 of the chain of ")
                .contains("outside the allowed image directories");

        // A symlink inside the directory whose target is outside: refused through the link.
        Files.createSymbolicLink(imgs.resolve("link.qcow2"), outside.resolve("secret.qcow2"));
        assertThat(ImageChain.problem(policy, imgs.resolve("link.qcow2"))).contains("resolves through a symlink");
        // A directory is no image.
        Files.createDirectories(imgs.resolve("dir.qcow2"));
        assertThat(ImageChain.problem(policy, imgs.resolve("dir.qcow2"))).contains("is not a regular file");
    }

    @Test
    void aManifestWhoseBaseLeadsOutsideIsAValidateErrorAtTheField() throws Exception {
        assumeThat(ImageChain.available()).as("qemu-img installed").isTrue();
        Path imgs = Files.createDirectories(tmp.resolve("imgs"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        qemuImg(outside.resolve("secret.qcow2").toString(), "64M");
        qemuImg("-F", "qcow2", "-b", outside.resolve("secret.qcow2").toString(), imgs.resolve("base.qcow2").toString());
        ManifestParser.ParseResult r = new ManifestParser(new HostPolicy(List.of(imgs))).parse(Path.of("vm.yaml"), """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: vm}
                spec:
                  resources: {limits: {cpu: "1", memory: 256Mi}}
                  disk:
                    image: %s
                """.formatted(imgs.resolve("base.qcow2")));
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.toString()).startsWith("vm.yaml:7:12: spec.disk.image: its backing file "
                    + outside.resolve("secret.qcow2"));
        });
    }
}
