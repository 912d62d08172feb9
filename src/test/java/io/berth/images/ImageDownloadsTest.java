package io.berth.images;

import io.berth.manifest.HostPolicy;
import io.berth.manifest.ImageUrl;
import io.berth.testing.ImageServer;
import io.berth.testing.ImageServer.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Downloads against a real HTTP server on 127.0.0.1 serving a real qcow2 base (the host's
 * base-64m.qcow2 when present, else one qemu-img makes): verified and named by digest, once per
 * digest whatever the URL and however many ask at once, resumed with Range after a drop or a
 * killed agent's .part, and nothing left behind by a mismatch, a truncation, an oversize body, an
 * HTTP error or a qcow2 whose backing file lies outside the image directories.
 */
class ImageDownloadsTest {

    static final Path HOST_BASE = Path.of("/var/lib/berth/images/base-64m.qcow2");

    @TempDir
    Path images;
    @TempDir
    Path elsewhere;

    ImageServer server;
    byte[] image;
    String sha;
    ImageDownloads downloads;
    final List<ImageProgress> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        server = new ImageServer();
        Path base = elsewhere.resolve("base.qcow2");
        if (Files.isReadable(HOST_BASE)) {
            Files.copy(HOST_BASE, base);
        } else {
            run("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "64M");
        }
        image = Files.readAllBytes(base);
        sha = sha256(image);
        downloads = new ImageDownloads(images, new HostPolicy(List.of(images)), 64L << 20, Duration.ofSeconds(5),
                Duration.ofSeconds(5));
        downloads.watch(seen::add);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void aGoodDownloadIsVerifiedReadOnlyNamedByItsDigestAndFetchedOnceWhateverTheUrl() throws Exception {
        String url = server.serve("/base.qcow2", image, Mode.RANGES);
        String mirror = server.serve("/mirror/base.qcow2", image, Mode.NO_RANGES);

        Path got = downloads.fetch("vm", new ImageUrl(url, sha));

        assertThat(got).isEqualTo(images.resolve("sha256-" + sha + ".img"));
        assertThat(sha256(Files.readAllBytes(got))).isEqualTo(sha);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(got))).isEqualTo("r--------");
        assertThat(listing()).containsExactly(got.getFileName().toString());
        assertThat(seen).extracting(ImageProgress::phase).startsWith(ImageProgress.Phase.started)
                .endsWith(ImageProgress.Phase.done).contains(ImageProgress.Phase.progress);
        assertThat(seen.getFirst().total()).isEqualTo(image.length);
        assertThat(seen.getLast().bytes()).isEqualTo(image.length);

        assertThat(downloads.fetch("other", new ImageUrl(mirror, sha))).isEqualTo(got);
        assertThat(server.requests("/base.qcow2")).isEqualTo(1);
        assertThat(server.requests("/mirror/base.qcow2")).as("the same digest is not fetched again").isZero();
    }

    @Test
    void twoWorkloadsAskingForTheSameImageAtOnceDownloadItOnce() throws Exception {
        String url = server.serve("/base.qcow2", image, Mode.RANGES);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Path> a = threads.submit(() -> downloads.fetch("a", new ImageUrl(url, sha)));
            Future<Path> b = threads.submit(() -> downloads.fetch("b", new ImageUrl(url, sha)));
            assertThat(a.get()).isEqualTo(b.get());
        } finally {
            threads.shutdownNow();
        }
        assertThat(server.requests("/base.qcow2")).isEqualTo(1);
    }

    @Test
    void wrongBytesAreAnErrorNamingWorkloadUrlAndBothDigestsAndNothingIsKept() throws Exception {
        byte[] other = image.clone();
        other[other.length - 1] ^= 1;
        String url = server.serve("/base.qcow2", other, Mode.RANGES);

        assertThatThrownBy(() -> downloads.fetch("vm", new ImageUrl(url, sha)))
                .isInstanceOf(ImageDownloads.Failed.class)
                .hasMessage("vm: base image " + url + " not used: its sha256 is " + sha256(other) + ", not the manifest's "
                        + sha + " (the server sent other bytes, or spec.disk.image.sha256 is wrong); nothing was kept");
        assertThat(listing()).isEmpty();
        assertThat(seen.getLast().phase()).isEqualTo(ImageProgress.Phase.failed);
    }

    @Test
    void aDownloadThatKeepsBreakingOffIsResumedThenGivenUpAndNothingIsKept() {
        String url = server.serve("/base.qcow2", image, Mode.TRUNCATED);

        assertThatThrownBy(() -> downloads.fetch("vm", new ImageUrl(url, sha)))
                .isInstanceOf(ImageDownloads.Failed.class)
                .hasMessageStartingWith("vm: base image " + url + " not used: the download broke off after 4 tries")
                .hasMessageEndingWith("; nothing was kept");
        assertThat(listing()).isEmpty();
        assertThat(server.requests("/base.qcow2")).isEqualTo(ImageDownloads.ATTEMPTS);
        assertThat(server.ranges("/base.qcow2")).first().isEqualTo("none");
        assertThat(server.ranges("/base.qcow2").get(1)).as("the second try resumes").isEqualTo("bytes=" + image.length / 2 + "-");
    }

    @Test
    void aDroppedConnectionIsResumedWithARangeRequest() throws Exception {
        String url = server.serve("/base.qcow2", image, Mode.DROPS_ONCE);

        Path got = downloads.fetch("vm", new ImageUrl(url, sha));

        assertThat(server.ranges("/base.qcow2")).containsExactly("none", "bytes=" + image.length / 2 + "-");
        assertThat(sha256(Files.readAllBytes(got))).isEqualTo(sha);
        assertThat(listing()).containsExactly(got.getFileName().toString());
    }

    @Test
    void aPartLeftByAKilledAgentIsResumedAndAServerWithoutRangesSendsItAllAgain() throws Exception {
        ImageUrl ranged = new ImageUrl(server.serve("/base.qcow2", image, Mode.RANGES), sha);
        Path part = images.resolve(ranged.fileName() + ".part");
        Files.write(part, Arrays.copyOf(image, 4096));

        assertThat(sha256(Files.readAllBytes(downloads.fetch("vm", ranged)))).isEqualTo(sha);
        assertThat(server.ranges("/base.qcow2")).containsExactly("bytes=4096-");
        assertThat(seen.getFirst().bytes()).as("started at what was there").isEqualTo(4096);

        Files.delete(images.resolve(ranged.fileName()));
        Files.write(part, Arrays.copyOf(image, 4096));
        ImageUrl whole = new ImageUrl(server.serve("/plain.qcow2", image, Mode.NO_RANGES), sha);
        assertThat(sha256(Files.readAllBytes(downloads.fetch("vm", whole)))).isEqualTo(sha);
        assertThat(server.requests("/plain.qcow2")).isEqualTo(1);
        assertThat(listing()).containsExactly(ranged.fileName());
    }

    @Test
    void aFileUrlUnderTheImageDirectoriesIsCopiedAndVerifiedAndOneOutsideIsRefused() throws Exception {
        Path mirror = Files.createDirectories(images.resolve("mirror")).resolve("base.qcow2");
        Files.write(mirror, image);

        Path got = downloads.fetch("vm", new ImageUrl(mirror.toUri().toString(), sha));
        assertThat(sha256(Files.readAllBytes(got))).isEqualTo(sha);

        Path outside = elsewhere.resolve("base.qcow2");
        assertThatThrownBy(() -> downloads.fetch("vm", new ImageUrl(outside.toUri().toString(), sha256(new byte[1]))))
                .isInstanceOf(ImageDownloads.Failed.class).hasMessageContaining("is outside the allowed image directories");
    }

    @Test
    void anOversizeImageAnHttpErrorAndABackingFileOutsideTheImageDirectoriesAreRefusedLeavingNothing() throws Exception {
        ImageDownloads small = new ImageDownloads(images, new HostPolicy(List.of(images)), 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(5));
        String url = server.serve("/base.qcow2", image, Mode.RANGES);
        assertThatThrownBy(() -> small.fetch("vm", new ImageUrl(url, sha))).isInstanceOf(ImageDownloads.Failed.class)
                .hasMessageContaining("more than the 0.0 MiB a base image may be");

        String missing = url.replace("/base.qcow2", "/missing.qcow2");
        assertThatThrownBy(() -> downloads.fetch("vm", new ImageUrl(missing, sha))).isInstanceOf(ImageDownloads.Failed.class)
                .hasMessage("vm: base image " + missing + " not used: HTTP 404 Not Found from " + missing + "; nothing was kept");

        Path backing = elsewhere.resolve("secret.raw");
        Files.write(backing, new byte[4096]);
        Path overlay = elsewhere.resolve("overlay.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", backing.toString(), overlay.toString());
        byte[] evil = Files.readAllBytes(overlay);
        String evilUrl = server.serve("/evil.qcow2", evil, Mode.RANGES);
        assertThatThrownBy(() -> downloads.fetch("vm", new ImageUrl(evilUrl, sha256(evil))))
                .isInstanceOf(ImageDownloads.Failed.class)
                .hasMessageContaining("it is refused as a base image: its backing file " + backing)
                .hasMessageContaining("is outside the allowed image directories");
        assertThat(listing()).isEmpty();
    }

    private List<String> listing() {
        try (Stream<Path> files = Files.list(images)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
    }
}
