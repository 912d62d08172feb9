package io.berth.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archive format: what {@link BackupArchive#write} writes {@link BackupArchive#verify} reads
 * back whole, the system {@code tar} lists and extracts it, and a flipped byte, a cut-off file, an
 * unknown format, a part too many or a changed part are each refused naming what is wrong.
 */
class BackupArchiveTest {

    @TempDir
    Path dir;

    static final byte[] SPEC = "apiVersion: berth.io/v1\nkind: VirtualMachine\nmetadata:\n  name: db\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void whatIsWrittenVerifiesTarReadsItAndTheDiskComesBackByteForByte() throws Exception {
        Path disk = disk(3 * 1024 * 1024 + 123);
        List<Long> progress = new ArrayList<>();
        Path archive = dir.resolve("db-20261201T221530Z.berth.tar");
        BackupInfo written = BackupArchive.write(archive, info(), SPEC, disk, progress::add);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive))).isEqualTo("rw-------");
        assertThat(dir.resolve(".db-20261201T221530Z.berth.tar.tmp")).doesNotExist();
        assertThat(progress.getLast()).isEqualTo(2 * Files.size(disk));
        assertThat(written.parts()).extracting(BackupInfo.Part::name).containsExactly("spec.yaml", "SHA256SUMS", "disk.qcow2");
        assertThat(written.part("disk.qcow2").orElseThrow().sha256()).isEqualTo(BackupArchive.sha256(Files.readAllBytes(disk)));

        BackupArchive.Verified v = BackupArchive.verify(archive, n -> { });
        assertThat(v.info()).isEqualTo(written);
        assertThat(v.info().workload()).isEqualTo("db");
        assertThat(v.info().pointInTime().snapshot()).isEqualTo("backup-20261201T221530Z");
        assertThat(v.specYaml()).isEqualTo(new String(SPEC, StandardCharsets.UTF_8));

        Path out = dir.resolve("restored.qcow2");
        Files.createFile(out);
        BackupArchive.extract(archive, v.info(), "disk.qcow2", out, n -> { });
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(disk));

        // Any tar reads it: backup.json first, and sha256sum -c accepts the extracted parts.
        assertThat(run(dir, "tar", "-tf", archive.toString())).isEqualTo("backup.json\nspec.yaml\nSHA256SUMS\ndisk.qcow2\n");
        Path x = Files.createDirectory(dir.resolve("x"));
        run(x, "tar", "-xf", archive.toString());
        assertThat(run(x, "sha256sum", "-c", "SHA256SUMS")).contains("spec.yaml: OK", "disk.qcow2: OK");
    }

    @Test
    void aFlippedByteInTheDiskIsRefusedNamingThePart() throws Exception {
        Path archive = archive(100_000);
        flipLastDataByte(archive);
        assertThatThrownBy(() -> BackupArchive.verify(archive, n -> { }))
                .isInstanceOf(BackupArchive.Invalid.class)
                .hasMessageContaining("part disk.qcow2 is damaged: its sha256 is");
    }

    @Test
    void aTruncatedArchiveIsRefused() throws Exception {
        Path archive = archive(100_000);
        for (long cut : List.of(Files.size(archive) - 1024 - 10, Files.size(archive) - 1024 - 2000, 700L, 0L)) {
            Path copy = dir.resolve("cut-" + cut + ".tar");
            try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
                f.write(Files.readAllBytes(archive), 0, (int) cut);
            }
            assertThatThrownBy(() -> BackupArchive.verify(copy, n -> { })).as("cut at " + cut)
                    .isInstanceOf(BackupArchive.Invalid.class)
                    .hasMessageContaining("cut short");
        }
    }

    @Test
    void anUnknownFormatAndAnArchiveOfSomethingElseAreRefused() throws Exception {
        BackupInfo later = new BackupInfo(2, "db", "VirtualMachine", "node-a", "a", "2026-12-01T22:15:30Z", "dev",
                null, List.of());
        Path archive = dir.resolve("later.tar");
        BackupArchive.write(archive, later, SPEC, disk(10), n -> { });
        assertThatThrownBy(() -> BackupArchive.verify(archive, n -> { })).isInstanceOf(BackupArchive.Invalid.class)
                .hasMessageContaining("backup.json is of format 2; this Berth reads format 1");

        Path other = dir.resolve("other.tar");
        Files.writeString(dir.resolve("hello.txt"), "hi");
        run(dir, "tar", "--format=ustar", "-cf", other.toString(), "hello.txt");
        assertThatThrownBy(() -> BackupArchive.verify(other, n -> { })).isInstanceOf(BackupArchive.Invalid.class)
                .hasMessageContaining("does not start with backup.json");
    }

    @Test
    void aPartTooManyOrOneChangedAfterTheVerifyIsRefused() throws Exception {
        Path archive = archive(5000);
        // The end marker replaced by one more entry.
        byte[] all = Files.readAllBytes(archive);
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        extra.write(all, 0, all.length - 1024);
        Tar.header(extra, "extra.bin", 3, 0);
        extra.write(new byte[] {1, 2, 3});
        Tar.pad(extra, 3);
        Tar.end(extra);
        Path more = dir.resolve("more.tar");
        Files.write(more, extra.toByteArray());
        assertThatThrownBy(() -> BackupArchive.verify(more, n -> { })).isInstanceOf(BackupArchive.Invalid.class)
                .hasMessageContaining("holds extra.bin, which backup.json does not list");

        BackupArchive.Verified v = BackupArchive.verify(archive, n -> { });
        flipLastDataByte(archive);
        Path out = dir.resolve("out");
        Files.createFile(out);
        assertThatThrownBy(() -> BackupArchive.extract(archive, v.info(), "disk.qcow2", out, n -> { }))
                .isInstanceOf(BackupArchive.Invalid.class).hasMessageContaining("changed since it was verified");
    }

    @Test
    void sizesBeyondUstarsEightGibUseTheBase256FormTarReads() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long big = 20L << 30;
        Tar.header(b, "disk.qcow2", big, 0);
        Tar.Entry e = Tar.next(new java.io.ByteArrayInputStream(b.toByteArray()));
        assertThat(e).isEqualTo(new Tar.Entry("disk.qcow2", big));
    }

    private Path archive(int diskBytes) throws IOException {
        Path archive = dir.resolve("a-" + diskBytes + ".tar");
        BackupArchive.write(archive, info(), SPEC, disk(diskBytes), n -> { });
        return archive;
    }

    /** Flips the disk part's last byte (the one before the padding and the end marker). */
    private static void flipLastDataByte(Path archive) throws IOException {
        BackupInfo info = BackupArchive.verify(archive, n -> { }).info();
        long size = info.part("disk.qcow2").orElseThrow().size();
        long pad = (512 - size % 512) % 512;
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            long at = f.length() - 1024 - pad - 1;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }

    private Path disk(int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(bytes).nextBytes(b);
        Path p = dir.resolve("disk-" + bytes + ".qcow2");
        Files.write(p, b);
        return p;
    }

    private static BackupInfo info() {
        return new BackupInfo(BackupInfo.FORMAT, "db", "VirtualMachine", "node-a", "agent-a", "2026-12-01T22:15:30Z",
                "dev", new BackupInfo.PointInTime("backup-20261201T221530Z", "2026-12-01T22:15:30Z"), List.of());
    }

    private static String run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

}
