package io.berth.backup;

import io.berth.util.AtomicFiles;
import io.berth.util.FileModes;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A backup archive on disk: an uncompressed ustar file ({@code tar -tf} lists it) holding
 * {@code backup.json} first ({@link BackupInfo}), then {@code spec.yaml}, {@code SHA256SUMS} (the
 * same digests in {@code sha256sum -c} form, for checking an extracted copy by hand) and
 * {@code disk.qcow2}. Written under a temporary name beside the target, fsynced and renamed whole
 * (0600), so a failure or a kill never leaves a partial archive under the final name. Read back by
 * {@link #verify}, which checks every part's size and SHA-256 before anything is restored. Pure
 * file I/O; thread-safe (no shared state).
 */
public final class BackupArchive {

    /** backup.json and spec.yaml are small; anything larger is not an archive Berth made. */
    static final int SMALL_PART_MAX = 1 << 20;
    private static final int BUFFER = 1 << 20;

    private BackupArchive() {
    }

    /** The archive cannot be restored: damaged, truncated, another format. The message names the part. */
    public static final class Invalid extends IOException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** What {@link #verify} read: the archive's description and its spec. */
    public record Verified(BackupInfo info, String specYaml) {
    }

    /**
     * Writes {@code target} (which must not exist): {@code info}'s parts are computed here from
     * {@code specYaml} and {@code disk}. {@code progress} gets the bytes of the disk read so far,
     * out of twice its size (one pass hashes it, the next copies it into the archive).
     *
     * @return the description written into the archive
     */
    public static BackupInfo write(Path target, BackupInfo info, byte[] specYaml, Path disk, LongConsumer progress)
            throws IOException {
        long diskSize = Files.size(disk);
        String diskSha = sha256(disk, progress, 0);
        String specSha = sha256(specYaml);
        byte[] sums = (specSha + "  " + BackupInfo.SPEC + "\n" + diskSha + "  " + BackupInfo.DISK + "\n")
                .getBytes(StandardCharsets.UTF_8);
        BackupInfo full = new BackupInfo(info.format(), info.workload(), info.kind(), info.host(), info.agent(),
                info.created(), info.berthVersion(), info.pointInTime(), List.of(
                new BackupInfo.Part(BackupInfo.SPEC, specYaml.length, specSha),
                new BackupInfo.Part(BackupInfo.SUMS, sums.length, sha256(sums)),
                new BackupInfo.Part(BackupInfo.DISK, diskSize, diskSha)));
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        long mtime = java.time.Instant.parse(info.created()).getEpochSecond();
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(FileModes.PRIVATE_FILE))) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER);
            small(out, BackupInfo.NAME, full.toJson(), mtime);
            small(out, BackupInfo.SPEC, specYaml, mtime);
            small(out, BackupInfo.SUMS, sums, mtime);
            Tar.header(out, BackupInfo.DISK, diskSize, mtime);
            MessageDigest again = digest();
            try (InputStream in = Files.newInputStream(disk)) {
                copy(in, out, diskSize, again, n -> progress.accept(diskSize + n));
            }
            if (!HexFormat.of().formatHex(again.digest()).equals(diskSha)) {
                throw new IOException(disk + " changed while it was written into the archive");
            }
            Tar.pad(out, diskSize);
            Tar.end(out);
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(target.getParent());
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return full;
    }

    /**
     * Reads the whole archive and checks it: {@code backup.json} first and of a known format, then
     * exactly its parts in its order, each of its size and SHA-256, then the end of the archive.
     * {@code progress} gets the bytes read so far of the largest part.
     *
     * @throws Invalid naming the part that is wrong, missing or cut short
     */
    public static Verified verify(Path file, LongConsumer progress) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
            BackupInfo info = BackupInfo.parse(readSmall(in, BackupInfo.NAME, first(in)));
            String spec = null;
            for (BackupInfo.Part part : info.parts()) {
                Tar.Entry e = entry(in, part.name());
                if (e.size() != part.size()) {
                    throw new Invalid("part " + part.name() + " is " + e.size() + " bytes, backup.json says " + part.size());
                }
                MessageDigest md = digest();
                byte[] kept = null;
                if (part.name().equals(BackupInfo.SPEC)) {
                    kept = readSmall(in, part.name(), e);
                    md.update(kept);
                } else {
                    copy(in, OutputStream.nullOutputStream(), e.size(), md, progress, part.name());
                    Tar.skipPad(in, e.size());
                }
                String sha = HexFormat.of().formatHex(md.digest());
                if (!sha.equals(part.sha256())) {
                    throw new Invalid("part " + part.name() + " is damaged: its sha256 is " + sha + ", backup.json says "
                            + part.sha256());
                }
                if (kept != null) {
                    spec = new String(kept, StandardCharsets.UTF_8);
                }
            }
            Tar.Entry extra = Tar.next(in);
            if (extra != null) {
                throw new Invalid("the archive holds " + extra.name() + ", which backup.json does not list");
            }
            if (spec == null) {
                throw new Invalid("the archive has no " + BackupInfo.SPEC);
            }
            return new Verified(info, spec);
        } catch (Invalid e) {
            throw e;
        } catch (EOFException e) {
            throw new Invalid(file + " is cut short: " + e.getMessage());
        } catch (IOException e) {
            if (Files.isRegularFile(file)) {
                throw new Invalid(file + ": " + e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Copies part {@code name} of a {@link #verify verified} archive to {@code out}, checking its
     * SHA-256 again as it goes (the file could have changed since it was verified).
     */
    public static void extract(Path file, BackupInfo info, String name, Path out, LongConsumer progress) throws IOException {
        BackupInfo.Part part = info.part(name).orElseThrow(() -> new Invalid("the archive has no part " + name));
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
            Tar.Entry e = first(in);
            long skip = e.size();
            while (!e.name().equals(name)) {
                skipFully(in, skip + padding(skip));
                e = Tar.next(in);
                if (e == null) {
                    throw new Invalid("the archive has no part " + name);
                }
                skip = e.size();
            }
            MessageDigest md = digest();
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING), BUFFER)) {
                copy(in, o, e.size(), md, progress, name);
            }
            if (e.size() != part.size() || !HexFormat.of().formatHex(md.digest()).equals(part.sha256())) {
                throw new Invalid("part " + name + " changed since it was verified; nothing was restored");
            }
        } catch (EOFException e) {
            throw new Invalid(file + " is cut short: " + e.getMessage());
        }
    }

    private static Tar.Entry first(InputStream in) throws IOException {
        Tar.Entry e = Tar.next(in);
        if (e == null || !e.name().equals(BackupInfo.NAME)) {
            throw new Invalid("the archive does not start with " + BackupInfo.NAME + " (not a Berth backup archive)");
        }
        return e;
    }

    private static Tar.Entry entry(InputStream in, String expected) throws IOException {
        Tar.Entry e = Tar.next(in);
        if (e == null) {
            throw new Invalid("part " + expected + " is missing (the archive ends before it)");
        }
        if (!e.name().equals(expected)) {
            throw new Invalid("found " + e.name() + " where backup.json lists part " + expected);
        }
        return e;
    }

    private static byte[] readSmall(InputStream in, String name, Tar.Entry e) throws IOException {
        if (e.size() > SMALL_PART_MAX) {
            throw new Invalid(name + " is " + e.size() + " bytes: not a Berth backup archive");
        }
        byte[] b = in.readNBytes((int) e.size());
        if (b.length != e.size()) {
            throw new EOFException("part " + name + " ends after " + b.length + " of " + e.size() + " bytes");
        }
        Tar.skipPad(in, e.size());
        return b;
    }

    private static void small(OutputStream out, String name, byte[] content, long mtime) throws IOException {
        Tar.header(out, name, content.length, mtime);
        out.write(content);
        Tar.pad(out, content.length);
    }

    private static void copy(InputStream in, OutputStream out, long size, MessageDigest md, LongConsumer progress)
            throws IOException {
        copy(in, out, size, md, progress, null);
    }

    private static void copy(InputStream in, OutputStream out, long size, MessageDigest md, LongConsumer progress,
                             String part) throws IOException {
        byte[] buf = new byte[BUFFER];
        long done = 0;
        while (done < size) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, size - done));
            if (n < 0) {
                throw new EOFException((part == null ? "the data" : "part " + part) + " ends after " + done + " of "
                        + size + " bytes");
            }
            md.update(buf, 0, n);
            out.write(buf, 0, n);
            done += n;
            progress.accept(done);
        }
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("the archive ends inside a part");
                }
                s = 1;
            }
            left -= s;
        }
    }

    private static long padding(long size) {
        long rest = size % Tar.BLOCK;
        return rest == 0 ? 0 : Tar.BLOCK - rest;
    }

    static String sha256(Path file, LongConsumer progress, long offset) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            copy(in, OutputStream.nullOutputStream(), Files.size(file), md, n -> progress.accept(offset + n));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] bytes) {
        MessageDigest md = digest();
        return HexFormat.of().formatHex(md.digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
