package io.berth.images;

import io.berth.manifest.HostPolicy;
import io.berth.manifest.ImageChain;
import io.berth.manifest.ImageUrl;
import io.berth.util.FileModes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Base images by URL, downloaded once into {@code DIR/sha256-<digest>.img} (DIR: the first image
 * directory), so the same content is fetched once whatever URL names it. A download streams into
 * {@code sha256-<digest>.img.part} (0600) while hashing; a dropped connection is resumed with an
 * HTTP Range request from what arrived (a server without ranges sends it all again), up to
 * {@link #ATTEMPTS} tries; a {@code .part} left by a killed agent is resumed the same way. Only a
 * file whose SHA-256 is the manifest's and whose backing chain passes {@link ImageChain} (a qcow2
 * pointing outside the image directories is refused) is renamed into place; any failure deletes
 * the {@code .part}, so nothing unverified is ever left or used.
 *
 * <p>Blocking; thread-safe. One download per digest at a time: within this process by a lock per
 * digest, across processes (CLI and daemon) by a file lock on the {@code .part}; whoever waited
 * finds the image in place and uses it.
 */
public final class ImageDownloads {

    /** Tries per download: a connection that drops is resumed this many times before giving up. */
    static final int ATTEMPTS = 4;
    /** A sanity guard: no base image is bigger (a server streaming forever fills no disk). */
    public static final long MAX_BYTES = 256L << 30;
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> READ_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("r--------");
    private static final int STEP = 1 << 24; // progress every 16 MiB when the size is unknown

    private final Path dir;
    private final HostPolicy policy;
    private final long maxBytes;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    /** Per JVM, not per instance: two holders of the same .part's file lock in one JVM would be an error. */
    private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private final List<Consumer<ImageProgress>> watchers = new CopyOnWriteArrayList<>();

    /** Into the policy's first image directory; 30 s to connect, 60 s of silence ends a try. */
    public ImageDownloads(HostPolicy policy) {
        this(policy.allowedDirs().getFirst(), policy, MAX_BYTES, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    ImageDownloads(Path dir, HostPolicy policy, long maxBytes, Duration connectTimeout, Duration readTimeout) {
        this.dir = dir;
        this.policy = policy;
        this.maxBytes = maxBytes;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** A download, a mismatch or a refused image: the message names the workload, the URL and why. */
    public static final class Failed extends Exception {
        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A watch on downloads; closing it ends it (and never fails). */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Receives every download's progress until the returned handle is closed. Must not block. */
    public Watch watch(Consumer<ImageProgress> watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    /** Where the image of {@code url} is (or will be) once downloaded. */
    public Path target(ImageUrl url) {
        return dir.resolve(url.fileName());
    }

    /**
     * The verified image of {@code url}: the one in place, or downloaded now. Blocking for as long
     * as the download takes.
     */
    public Path fetch(String workload, ImageUrl url) throws Failed {
        Path target = target(url);
        if (Files.isRegularFile(target)) {
            return target; // only ever renamed into place after it was verified
        }
        if (url.url().startsWith("file:")) {
            String outside = policy.problem(URI.create(url.url()).getPath());
            if (outside != null) {
                throw new Failed(workload + ": base image " + url.url() + " not used: " + outside, null);
            }
        }
        ReentrantLock lock = LOCKS.computeIfAbsent(url.sha256(), k -> new ReentrantLock());
        lock.lock();
        try {
            if (Files.isRegularFile(target)) {
                return target;
            }
            return download(workload, url, target);
        } catch (IOException e) {
            throw new Failed(workload + ": cannot download " + url.url() + " into " + dir + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private Path download(String workload, ImageUrl url, Path target) throws IOException, Failed {
        FileModes.traversableDirectory(dir);
        Path part = dir.resolve(url.fileName() + ".part");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            if (Files.isRegularFile(target)) {
                Files.deleteIfExists(part); // another process finished it while this one waited
                return target;
            }
            FileModes.set(part, FileModes.PRIVATE_FILE);
            boolean kept = false;
            try {
                String actual = receive(workload, url, ch);
                if (!actual.equals(url.sha256())) {
                    throw failed(workload, url, "its sha256 is " + actual + ", not the manifest's " + url.sha256()
                            + " (the server sent other bytes, or spec.disk.image.sha256 is wrong)", null);
                }
                ch.force(true);
                String refused = ImageChain.available() ? ImageChain.problem(policy, part) : null;
                if (refused != null) {
                    throw failed(workload, url, "it is refused as a base image: " + refused, null);
                }
                // Read-only: libvirt hands the backing files of a running VM to libvirt-qemu and never back.
                FileModes.set(part, READ_ONLY);
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                kept = true;
                emit(workload, url, ImageProgress.Phase.done, ch.size(), ch.size(), null);
                return target;
            } finally {
                if (!kept) {
                    Files.deleteIfExists(part);
                }
            }
        }
    }

    /** Fills {@code ch} with the whole image, resuming from what it holds; returns the SHA-256 of it all. */
    private String receive(String workload, ImageUrl url, FileChannel ch) throws IOException, Failed {
        MessageDigest sha = sha256();
        long have = hashExisting(ch, sha);
        URI uri = URI.create(url.url());
        for (int attempt = 1; ; attempt++) {
            have = ch.size(); // what arrived, all of it hashed: a try that broke off resumes from here
            try (Sources.Body body = Sources.open(uri, have, connectTimeout, readTimeout)) {
                if (body.start() != have) { // the whole image again: start over
                    ch.truncate(0);
                    sha.reset();
                    have = 0;
                }
                if (attempt == 1) {
                    emit(workload, url, ImageProgress.Phase.started, have, body.total(), null);
                }
                if (body.total() > maxBytes) {
                    throw failed(workload, url, "it is " + ImageProgress.mib(body.total()) + ", more than the "
                            + ImageProgress.mib(maxBytes) + " a base image may be", null);
                }
                have = copy(workload, url, body, ch, sha, have);
                if (body.total() >= 0 && have < body.total()) {
                    throw new IOException("the connection closed after " + have + " of " + body.total() + " bytes");
                }
                return HexFormat.of().formatHex(sha.digest());
            } catch (Sources.HttpError e) {
                if (e.code == 416 && have > 0) {
                    ch.truncate(0); // the .part is not a prefix of what the server has: start over
                    sha.reset();
                    have = 0;
                } else if (e.permanent() || attempt >= ATTEMPTS) {
                    throw failed(workload, url, e.getMessage(), e);
                }
            } catch (IOException e) {
                if (attempt >= ATTEMPTS) {
                    throw failed(workload, url, "the download broke off after " + ATTEMPTS + " tries (" + ch.size()
                            + " bytes arrived): " + e.getMessage(), e);
                }
            }
        }
    }

    private long copy(String workload, ImageUrl url, Sources.Body body, FileChannel ch, MessageDigest sha, long have)
            throws IOException, Failed {
        byte[] buf = new byte[1 << 16];
        InputStream in = body.in();
        int lastPercent = -1;
        long lastStep = have / STEP;
        ch.position(have);
        for (int n; (n = in.read(buf)) > 0; ) {
            have += n;
            if (have > maxBytes) {
                throw failed(workload, url, "it is more than the " + ImageProgress.mib(maxBytes) + " a base image may be", null);
            }
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            sha.update(buf, 0, n); // after the write: the .part and the digest always hold the same bytes
            ImageProgress p = new ImageProgress(workload, url.url(), ImageProgress.Phase.progress, have, body.total(), null);
            if (body.total() > 0 ? p.percent() != lastPercent : have / STEP != lastStep) {
                lastPercent = p.percent();
                lastStep = have / STEP;
                emit(p);
            }
        }
        return have;
    }

    /** Hashes what a killed download left in the {@code .part}; returns its length. */
    private static long hashExisting(FileChannel ch, MessageDigest sha) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        ch.position(0);
        long total = 0;
        for (int n; (n = ch.read(buf)) > 0; ) {
            sha.update(buf.array(), 0, n);
            total += n;
            buf.clear();
        }
        return total;
    }

    private Failed failed(String workload, ImageUrl url, String why, Throwable cause) {
        String message = workload + ": base image " + url.url() + " not used: " + why + "; nothing was kept";
        emit(workload, url, ImageProgress.Phase.failed, 0, -1, message);
        return new Failed(message, cause);
    }

    private void emit(String workload, ImageUrl url, ImageProgress.Phase phase, long bytes, long total, String message) {
        emit(new ImageProgress(workload, url.url(), phase, bytes, total, message));
    }

    /**
     * Hands {@code p} to every watcher, as this class's own downloads do: how container image
     * pulls reach the same progress bars and events.
     */
    public void report(ImageProgress p) {
        emit(p);
    }

    private void emit(ImageProgress p) {
        for (Consumer<ImageProgress> w : watchers) {
            try {
                w.accept(p);
            } catch (RuntimeException e) {
                // A broken watcher (a closed terminal) must not break the download.
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
