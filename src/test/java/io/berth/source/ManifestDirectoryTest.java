package io.berth.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.manifest.ContainerSpec;
import io.berth.manifest.ManifestError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ManifestDirectoryTest {

    static final Duration AWAIT = Duration.ofSeconds(5);
    /** Long enough that only the WatchService can explain a prompt reload. */
    static final Duration NO_RESCAN = Duration.ofMinutes(10);
    /** Comfortably past the 100 ms debounce, for asserting that nothing happened. */
    static final Duration QUIET = Duration.ofMillis(600);

    static String container(String name, String memory, String... command) {
        return """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  resources: {limits: {cpu: 100m, memory: %s}}
                  image: berth/busybox:1
                  command: [%s]
                """.formatted(name, memory, String.join(", ", Stream.of(command).map(c -> "\"" + c + "\"").toList()));
    }

    static String container(String name) {
        return container(name, "32Mi", "sleep", "300");
    }

    @TempDir
    Path tmp;

    final List<ManifestDirectory> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(ManifestDirectory::close);
    }

    /** Records every callback, in order. */
    static final class Recorder implements ManifestDirectory.Listener {
        record Changed(ManifestDirectory.Snapshot snapshot, Set<String> names) {
        }

        record Invalid(List<ManifestError> errors, ManifestDirectory.Snapshot lastGood) {
        }

        record Unavailable(String problem, ManifestDirectory.Snapshot lastGood) {
        }

        record Available(ManifestDirectory.Snapshot current) {
        }

        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final List<Object> all = new CopyOnWriteArrayList<>();

        @Override
        public void changed(ManifestDirectory.Snapshot snapshot, Set<String> changedNames) {
            Changed c = new Changed(snapshot, changedNames);
            all.add(c);
            events.add(c);
        }

        @Override
        public void invalid(List<ManifestError> errors, ManifestDirectory.Snapshot lastGood) {
            Invalid i = new Invalid(errors, lastGood);
            all.add(i);
            events.add(i);
        }

        @Override
        public void unavailable(Path dir, String problem, ManifestDirectory.Snapshot lastGood) {
            Unavailable u = new Unavailable(problem, lastGood);
            all.add(u);
            events.add(u);
        }

        @Override
        public void available(Path dir, ManifestDirectory.Snapshot current) {
            Available a = new Available(current);
            all.add(a);
            events.add(a);
        }

        Unavailable nextUnavailable() throws InterruptedException {
            Object e = next();
            assertThat(e).isInstanceOf(Unavailable.class);
            return (Unavailable) e;
        }

        Object next() throws InterruptedException {
            Object e = events.poll(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("a callback within " + AWAIT).isNotNull();
            return e;
        }

        Changed nextChanged() throws InterruptedException {
            Object e = next();
            assertThat(e).isInstanceOf(Changed.class);
            return (Changed) e;
        }

        Invalid nextInvalid() throws InterruptedException {
            Object e = next();
            assertThat(e).isInstanceOf(Invalid.class);
            return (Invalid) e;
        }

        void assertQuiet() throws InterruptedException {
            Object e = events.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("no callback").isNull();
        }

        long changedCount() {
            return all.stream().filter(Changed.class::isInstance).count();
        }
    }

    ManifestDirectory open(Path dir, Duration rescan, ManifestDirectory.Listener listener) {
        ManifestDirectory md = new ManifestDirectory(dir, rescan, listener);
        opened.add(md);
        md.start();
        return md;
    }

    static List<String> command(ManifestDirectory md, String name) {
        return ((ContainerSpec) md.current().workloads().get(name).spec()).command();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            Thread.sleep(10);
        }
    }

    static void atomicWrite(Path target, String text) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void initialLoadIsKnownWhenStartReturnsAndReportedAsAChangeOfEveryName() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Files.createDirectories(tmp.resolve("sub"));
        Files.writeString(tmp.resolve("sub/db.yml"), container("db"));
        Recorder rec = new Recorder();

        ManifestDirectory md = open(tmp, NO_RESCAN, rec);

        assertThat(md.current().workloads()).containsOnlyKeys("db", "web");
        assertThat(md.current().fingerprint()).matches("[0-9a-f]{64}");
        Recorder.Changed first = (Recorder.Changed) rec.events.poll();
        assertThat(first).as("the initial load's callback, before start returned").isNotNull();
        assertThat(first.names()).containsExactly("db", "web");
        assertThat(first.snapshot()).isSameAs(md.current());
        rec.assertQuiet();
    }

    @Test
    void emptyDirectoryStartsEmptyWithoutCallbacks() throws Exception {
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        assertThat(md.current().workloads()).isEmpty();
        assertThat(rec.events).isEmpty();
    }

    @Test
    void addingAFileReportsItsName() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        rec.nextChanged();

        Files.writeString(tmp.resolve("db.yaml"), container("db"));

        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("db");
        assertThat(c.snapshot().workloads()).containsOnlyKeys("db", "web");
        assertThat(md.current()).isSameAs(c.snapshot());
    }

    @Test
    void editingOneFieldOfOneOfTwoFilesReportsExactlyThatName() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Files.writeString(tmp.resolve("db.yaml"), container("db"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        ManifestDirectory.Snapshot before = rec.nextChanged().snapshot();

        Files.writeString(tmp.resolve("web.yaml"), container("web", "32Mi", "sleep", "301"));
        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("web");
        assertThat(command(md, "web")).containsExactly("sleep", "301");
        assertThat(c.snapshot().workloads().get("db")).isEqualTo(before.workloads().get("db"));
        assertThat(c.snapshot().fingerprint()).isNotEqualTo(before.fingerprint());

        Files.writeString(tmp.resolve("db.yaml"), container("db", "64Mi", "sleep", "300"));
        assertThat(rec.nextChanged().names()).containsExactly("db");
        rec.assertQuiet();
    }

    @Test
    void rewritingTheSameSpecIsNoChange() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        String fingerprint = rec.nextChanged().snapshot().fingerprint();

        // Same meaning, different spelling and a different file.
        Files.writeString(tmp.resolve("moved.yaml"), container("web").replace("32Mi", "33554432") + "# a comment\n");
        Files.delete(tmp.resolve("web.yaml"));

        rec.assertQuiet();
        assertThat(md.current().fingerprint()).isEqualTo(fingerprint);
    }

    @Test
    void atomicRenameOverAnExistingFileIsPickedUp() throws Exception {
        Path web = tmp.resolve("web.yaml");
        Files.writeString(web, container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        rec.nextChanged();

        atomicWrite(web, container("web", "32Mi", "sleep", "999"));

        assertThat(rec.nextChanged().names()).containsExactly("web");
        assertThat(command(md, "web")).containsExactly("sleep", "999");
        rec.assertQuiet();
    }

    @Test
    void deletingAFileRemovesItsWorkload() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Files.writeString(tmp.resolve("db.yaml"), container("db"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        rec.nextChanged();

        Files.delete(tmp.resolve("web.yaml"));

        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("web");
        assertThat(c.snapshot().workloads()).containsOnlyKeys("db");
        assertThat(md.current().workloads()).containsOnlyKeys("db");
    }

    @Test
    void aNewSubdirectoryIsWatchedToo() throws Exception {
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);

        Path sub = Files.createDirectories(tmp.resolve("a/b"));
        Files.writeString(sub.resolve("db.yaml"), container("db"));
        assertThat(rec.nextChanged().names()).containsExactly("db");

        // An edit inside it is seen too: the new directories were registered, not just read once.
        Files.writeString(sub.resolve("db.yaml"), container("db", "32Mi", "sleep", "5"));
        assertThat(rec.nextChanged().names()).containsExactly("db");
        assertThat(command(md, "db")).containsExactly("sleep", "5");
    }

    @Test
    void dotfilesSwapFilesAndBackupsCauseNoCallback() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        rec.nextChanged();

        Files.writeString(tmp.resolve(".web.yaml"), container("dot"));
        Files.writeString(tmp.resolve("web.yaml.swp"), container("swap"));
        Files.writeString(tmp.resolve("web.yaml~"), container("backup"));
        Files.writeString(tmp.resolve("#web.yaml#"), "not: [valid");
        Files.createDirectories(tmp.resolve(".git/objects"));
        Files.writeString(tmp.resolve(".git/objects/x.yaml"), container("hidden"));

        rec.assertQuiet();
        assertThat(md.current().workloads()).containsOnlyKeys("web");

        // Still watching.
        Files.writeString(tmp.resolve("db.yaml"), container("db"));
        assertThat(rec.nextChanged().names()).containsExactly("db");
    }

    @Test
    void anInvalidEditKeepsTheLastGoodSnapshotAndIsReportedOnceUntilFixed() throws Exception {
        Path web = tmp.resolve("web.yaml");
        Files.writeString(web, container("web"));
        Files.writeString(tmp.resolve("db.yaml"), container("db"));
        Recorder rec = new Recorder();
        // Short rescans: the same broken state must not be reported again at each one.
        ManifestDirectory md = open(tmp, Duration.ofMillis(100), rec);
        ManifestDirectory.Snapshot good = rec.nextChanged().snapshot();

        replace(web, container("web", "lots", "sleep", "300"));
        // And a valid change elsewhere, which must not be applied while the directory is invalid.
        replace(tmp.resolve("db.yaml"), container("db", "64Mi", "sleep", "300"));

        Recorder.Invalid inv = rec.nextInvalid();
        assertThat(inv.errors()).hasSize(1);
        assertThat(inv.errors().getFirst().toString()).startsWith(web + ":5:43: spec.resources.limits.memory: ");
        assertThat(inv.lastGood()).isSameAs(good);
        assertThat(md.current()).isSameAs(good);

        rec.assertQuiet(); // several rescans in this time
        assertThat(md.current()).isSameAs(good);

        replace(web, container("web", "32Mi", "sleep", "300"));
        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("db");
        assertThat(md.current().workloads().get("db").resources().limits().memoryBytes()).isEqualTo(64L << 20);

        // Broken again in the same way: reported again, since it was fixed in between.
        replace(web, container("web", "lots", "sleep", "300"));
        assertThat(rec.nextInvalid().errors()).hasSize(1);
        replace(web, container("web", "32Mi", "sleep", "7"));
        assertThat(rec.nextChanged().names()).containsExactly("web");
    }

    /**
     * Replaces a file atomically (write elsewhere, rename over): with 100 ms rescans, a plain
     * truncate-and-write can be read half-way (an empty file is a valid, empty manifest).
     */
    private static void replace(Path file, String content) throws java.io.IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aFileRewrittenInPlaceIsNotReadAsRemovedWhileItIsEmpty() throws Exception {
        Path web = tmp.resolve("web.yaml");
        Files.writeString(web, container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, Duration.ofMillis(100), rec);
        rec.nextChanged();

        Files.write(web, new byte[0]); // truncated: an editor or a script in the middle of writing
        Thread.sleep(400);              // several rescans and the debounce pass while it is empty
        assertThat(md.current().workloads()).containsKey("web");
        Files.writeString(web, container("web", "32Mi", "sleep", "9"));

        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("web");
        assertThat(c.snapshot().workloads()).containsKey("web");
        rec.assertQuiet();
    }

    @Test
    void aFileThatStaysEmptyRemovesItsWorkloadsOnceSettled() throws Exception {
        Path web = tmp.resolve("web.yaml");
        Files.writeString(web, container("web"));
        Files.writeString(tmp.resolve("db.yaml"), container("db"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, Duration.ofMillis(100), rec);
        rec.nextChanged();

        Files.write(web, new byte[0]);
        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("web");
        assertThat(md.current().workloads()).containsOnlyKeys("db");
    }

    @Test
    void aBurstOfWritesCausesFewReloads() throws Exception {
        Path web = tmp.resolve("web.yaml");
        Files.writeString(web, container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, NO_RESCAN, rec);
        rec.nextChanged();

        for (int i = 1; i <= 20; i++) {
            Files.writeString(web, container("web", "32Mi", "sleep", Integer.toString(i)));
        }

        await("the last write reported", () -> rec.all.stream().anyMatch(e -> e instanceof Recorder.Changed c
                && ((ContainerSpec) c.snapshot().workloads().get("web").spec()).command().equals(List.of("sleep", "20"))));
        rec.events.clear();
        rec.assertQuiet();
        assertThat(command(md, "web")).containsExactly("sleep", "20");
        assertThat(rec.changedCount() - 1).as("reloads reported for 20 writes").isBetween(1L, 3L);
    }

    @Test
    void theRescanFindsChangesTheWatchServiceNeverReported() throws Exception {
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        // No WatchService at all: nothing tells it about changes.
        ManifestDirectory md = new ManifestDirectory(tmp, Duration.ofMillis(300), Duration.ofMillis(100), false, rec);
        opened.add(md);
        md.start();
        rec.nextChanged();

        Path sub = Files.createDirectories(tmp.resolve("later"));
        Files.writeString(sub.resolve("db.yaml"), container("db"));
        long t0 = System.nanoTime();

        assertThat(rec.nextChanged().names()).containsExactly("db");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(md.current().workloads()).containsOnlyKeys("db", "web");

        replace(tmp.resolve("web.yaml"), container("web", "32Mi", "sleep", "1"));
        assertThat(rec.nextChanged().names()).containsExactly("web");
        Files.delete(sub.resolve("db.yaml"));
        assertThat(rec.nextChanged().names()).containsExactly("db");
    }

    @Test
    void aMissingDirectoryAtStartIsAnErrorNotInForceAndPickedUpWhenCreated() throws Exception {
        Path dir = tmp.resolve("not-yet");
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        assertThat(md.current().workloads()).isEmpty();
        assertThat(md.inForce()).as("nothing of it is to be pruned: it was never read").isFalse();
        assertThat(rec.nextUnavailable().problem()).contains(dir.toString(), "does not exist",
                "the last good set (0 workload(s)) stays in force");
        assertThat(md.problem()).contains("does not exist");
        rec.assertQuiet(); // once, not at every rescan

        Path staging = Files.createDirectories(tmp.resolve("staging"));
        Files.writeString(staging.resolve("web.yaml"), container("web"));
        Files.move(staging, dir);

        assertThat(rec.next()).isInstanceOf(Recorder.Available.class);
        assertThat(rec.nextChanged().names()).containsExactly("web");
        assertThat(md.current().workloads()).containsOnlyKeys("web");
        assertThat(md.inForce()).isTrue();
        assertThat(md.problem()).isNull();
    }

    @Test
    void aDeletedDirectoryKeepsTheLastGoodSetUntilItIsBack() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/db.yaml"), container("db"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        rec.nextChanged();

        deleteTree(dir);
        // rm -r deletes file by file: a load in between may see the files left (like deleting them
        // one by one); the directory itself gone is an error, not an empty set.
        Object e;
        while (!((e = rec.next()) instanceof Recorder.Unavailable)) {
            assertThat(e).isInstanceOf(Recorder.Changed.class);
        }
        assertThat(((Recorder.Unavailable) e).problem()).contains(dir + " does not exist");
        rec.assertQuiet();
        assertThat(md.inForce()).isTrue();

        Files.createDirectories(dir);
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        await("web back", () -> md.current().workloads().containsKey("web"));
        // The new directory is watched, not only rescanned: its edits still arrive.
        Files.writeString(dir.resolve("web.yaml"), container("web", "32Mi", "sleep", "42"));
        await("the edit", () -> command(md, "web").equals(List.of("sleep", "42")));
    }

    @Test
    void aDirectoryMovedAwayIsAnErrorAndMovingItBackChangesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        Files.writeString(dir.resolve("db.yaml"), container("db"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        ManifestDirectory.Snapshot before = rec.nextChanged().snapshot();

        Path away = tmp.resolve("manifests.away");
        Files.move(dir, away);
        Recorder.Unavailable u = rec.nextUnavailable();
        assertThat(u.problem()).contains(dir + " does not exist", "the last good set (2 workload(s)) stays in force",
                "nothing is pruned");
        assertThat(u.lastGood()).isSameAs(before);
        assertThat(md.current()).isSameAs(before);

        Files.move(away, dir);
        assertThat(rec.next()).isInstanceOf(Recorder.Available.class);
        rec.assertQuiet(); // same specs: no change
        assertThat(md.current()).isSameAs(before);
    }

    @Test
    void aDirectoryReplacedByAFileIsAnError() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        rec.nextChanged();

        deleteTree(dir);
        Files.writeString(dir, "not a directory");
        Object e;
        while (!((e = rec.next()) instanceof Recorder.Unavailable u && u.problem().contains("is not a directory"))) {
            assertThat(e).isInstanceOf(Recorder.Unavailable.class); // "does not exist" may come first
        }
        assertThat(md.current().workloads()).containsOnlyKeys("web");
    }

    @Test
    void anExistingEmptyDirectoryIsAValidEmptySetAndPrunes() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        rec.nextChanged();

        Files.delete(dir.resolve("web.yaml"));
        Recorder.Changed c = rec.nextChanged();
        assertThat(c.names()).containsExactly("web");
        assertThat(c.snapshot().workloads()).isEmpty();
        assertThat(md.problem()).isNull();
    }

    // ---- mounts (as root: a small tmpfs, or a bind mount, under the test's directory) ----

    final List<Path> mounted = new ArrayList<>();

    @AfterEach
    void unmountAll() throws Exception {
        for (Path m : mounted.reversed()) {
            sh("umount", "-l", m.toString());
        }
    }

    static int sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    void mount(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mount"));
        cmd.addAll(List.of(args));
        int rc = sh(cmd.toArray(String[]::new));
        org.junit.jupiter.api.Assumptions.assumeTrue(rc == 0, "mount needs root: " + cmd);
        mounted.add(Path.of(args[args.length - 1]));
    }

    void umount(Path m) throws Exception {
        assertThat(sh("umount", m.toString())).as("umount " + m).isZero();
        mounted.remove(m);
    }

    @Test
    void anUnmountedFilesystemIsAnErrorNotTheEmptyMountPointUnderIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mnt"));
        mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        rec.nextChanged();

        umount(dir); // what is left is the empty mount point, on the parent's filesystem
        Recorder.Unavailable u = rec.nextUnavailable();
        assertThat(u.problem()).contains(dir.toString(), "was on the filesystem mounted at " + dir, "looks unmounted");
        rec.assertQuiet();
        assertThat(md.current().workloads()).containsOnlyKeys("web");

        mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString()); // back (a new device number)
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        assertThat(rec.next()).isInstanceOf(Recorder.Available.class);
        Files.writeString(dir.resolve("db.yaml"), container("db"));
        assertThat(rec.nextChanged().names()).containsExactly("db");
    }

    @Test
    void aFilesystemNotMountedAtTheNextStartIsAnErrorNotAnEmptySet() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mnt"));
        Path state = Files.createDirectories(tmp.resolve("state"));
        mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        Recorder first = new Recorder();
        ManifestDirectory before = new ManifestDirectory(dir, Duration.ofMillis(200), first,
                io.berth.manifest.HostPolicy.fromEnvironment(), state);
        opened.add(before);
        before.start();
        assertThat(first.nextChanged().names()).containsExactly("web");
        before.close();

        // The next boot: the mount (a systemd mount unit, no fstab entry) did not happen.
        umount(dir);
        Recorder next = new Recorder();
        ManifestDirectory after = new ManifestDirectory(dir, Duration.ofMillis(200), next,
                io.berth.manifest.HostPolicy.fromEnvironment(), state);
        opened.add(after);
        after.start();
        assertThat(next.nextUnavailable().problem()).contains("before this start", "holds no manifest");
        assertThat(after.inForce()).as("no set in force: nothing is pruned").isFalse();

        mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString());
        Files.writeString(dir.resolve("web.yaml"), container("web"));
        assertThat(next.next()).isInstanceOf(Recorder.Available.class);
        assertThat(next.nextChanged().names()).containsExactly("web");
    }

    @Test
    void anUnmountedBindMountOfTheSameFilesystemIsAnErrorToo() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("real"));
        Files.writeString(source.resolve("web.yaml"), container("web"));
        Path dir = Files.createDirectories(tmp.resolve("manifests"));
        mount("--bind", source.toString(), dir.toString()); // same device as its parent: only the mount table tells
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        assertThat(rec.nextChanged().names()).containsExactly("web");

        umount(dir);
        assertThat(rec.nextUnavailable().problem()).contains("looks unmounted");
        assertThat(md.current().workloads()).containsOnlyKeys("web");
    }

    @Test
    void aFilesystemMountedOverTheDirectoryLaterIsTheRealOneArriving() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mnt"));
        Recorder rec = new Recorder();
        ManifestDirectory md = open(dir, Duration.ofMillis(200), rec);
        assertThat(md.inForce()).isTrue(); // an existing empty directory: a valid empty set

        Path staged = Files.createDirectories(tmp.resolve("staged"));
        Files.writeString(staged.resolve("web.yaml"), container("web"));
        mount("--bind", staged.toString(), dir.toString());
        assertThat(rec.nextChanged().names()).containsExactly("web");
        assertThat(md.problem()).isNull();
    }

    @Test
    void aThrowingListenerDoesNotStopTheWatcher() throws Exception {
        Recorder rec = new Recorder();
        ManifestDirectory.Listener throwing = new ManifestDirectory.Listener() {
            @Override
            public void changed(ManifestDirectory.Snapshot snapshot, Set<String> changedNames) {
                rec.changed(snapshot, changedNames);
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void invalid(List<ManifestError> errors, ManifestDirectory.Snapshot lastGood) {
                rec.invalid(errors, lastGood);
                throw new AssertionError("listener bug");
            }
        };
        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        ManifestDirectory md = open(tmp, NO_RESCAN, throwing);
        rec.nextChanged();

        Files.writeString(tmp.resolve("bad.yaml"), "kind: [");
        rec.nextInvalid();
        Files.delete(tmp.resolve("bad.yaml"));
        Files.writeString(tmp.resolve("db.yaml"), container("db"));
        assertThat(rec.nextChanged().names()).containsExactly("db");
        assertThat(md.current().workloads()).containsOnlyKeys("db", "web");
    }

    @Test
    void closeStopsCallbacksAndIsIdempotent() throws Exception {
        Recorder rec = new Recorder();
        ManifestDirectory md = open(tmp, Duration.ofMillis(100), rec);
        md.close();
        md.close();

        Files.writeString(tmp.resolve("web.yaml"), container("web"));
        rec.assertQuiet();
        assertThat(md.current().workloads()).isEmpty();
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
