package io.berth.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.berth.api.dto.BackupAnswer;
import io.berth.api.dto.RestoreAnswer;
import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Kind;
import io.berth.manifest.ManifestException;
import io.berth.manifest.Origin;
import io.berth.manifest.Workload;
import io.berth.runtime.Backups;
import io.berth.runtime.Runtime;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.Snapshots;
import io.berth.util.Hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code agent backup} and {@code agent restore --from}, the one implementation the CLI's local
 * mode and the daemon's API share. A backup is {@code DIR/NAME-<UTC>.berth.tar}
 * ({@link BackupArchive}): the runtime's standalone copy of the data ({@link Backups#exportData})
 * and the recorded spec as a manifest, with no secret in it. A restore verifies the whole archive
 * first, refuses when the name is taken here, then has the runtime put the data where a create of
 * the name adopts it, and answers with the manifest to apply. Failures are {@link Snapshots.Invalid}
 * (the request or archive cannot work: the API's 400), {@link Snapshots.NotFound} (404) or
 * {@link RuntimeFailure} (refused: 409), each saying that nothing was changed. Blocking; callers
 * serialise per name (the daemon holds it).
 */
public final class BackupOps {

    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    static final String SUFFIX = ".berth.tar";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private BackupOps() {
    }

    public static BackupAnswer backup(RuntimeSet runtimes, String agent, String name, Path dir,
                                      Consumer<BackupProgress> progress) {
        return backup(runtimes, agent, name, dir, progress, Clock.systemUTC());
    }

    static BackupAnswer backup(RuntimeSet runtimes, String agent, String name, Path dir,
                               Consumer<BackupProgress> progress, Clock clock) {
        long t0 = System.nanoTime();
        if (dir == null || !dir.isAbsolute() || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new Snapshots.Invalid(name, name + ": --to " + dir + " is not " + (dir != null && !dir.isAbsolute()
                    ? "an absolute path" : "a writable directory on this host") + " (valid: an existing directory to"
                    + " write the archive into); nothing was written");
        }
        Runtime r = runtimes.owner(name).orElseThrow(() -> new Snapshots.NotFound(name, name
                + ": no workload of that name is managed here (see agent get); nothing was written"));
        if (r.kind() == Kind.Container) {
            throw new Snapshots.Invalid(name, name + ": backups of containers are not supported yet (VirtualMachine"
                    + " only in this version); nothing was written");
        }
        if (!(r instanceof Backups backups)) {
            throw new Snapshots.Invalid(name, name + ": its runtime makes no backups; nothing was written");
        }
        Instant now = clock.instant();
        Path target = dir.resolve(name + "-" + STAMP.format(now) + SUFFIX);
        if (Files.exists(target)) {
            throw new RuntimeFailure(name, "refused: " + target + " exists already; nothing was written");
        }
        Path disk = dir.resolve("." + name + "-" + STAMP.format(now) + ".disk.qcow2.tmp");
        progress.accept(new BackupProgress(name, "flattening", 0, 0));
        try {
            Backups.Exported exported = backups.exportData(name, disk);
            List<String> notes = new ArrayList<>(exported.notes());
            byte[] spec = manifest(exported.applied(), notes).getBytes(StandardCharsets.UTF_8);
            long size = Files.size(disk);
            BackupInfo info = new BackupInfo(BackupInfo.FORMAT, name, Kind.VirtualMachine.name(), Hosts.name(), agent,
                    now.toString(), version(), new BackupInfo.PointInTime(exported.snapshot(), exported.at().toString()),
                    List.of());
            BackupInfo written = BackupArchive.write(target, info, spec, disk,
                    n -> progress.accept(new BackupProgress(name, "copying", n, 2 * size)));
            progress.accept(new BackupProgress(name, "done", 2 * size, 2 * size));
            return new BackupAnswer(name, Kind.VirtualMachine.name(), target.toString(), Files.size(target),
                    written.part(BackupInfo.DISK).orElseThrow().sha256(), exported.snapshot(), exported.at().toString(),
                    (System.nanoTime() - t0) / 1e9, notes);
        } catch (IOException e) {
            throw new RuntimeFailure(name, name + ": cannot write the archive " + target + ": " + e.getMessage()
                    + "; no archive was left", e);
        } finally {
            try {
                Files.deleteIfExists(disk);
            } catch (IOException ignored) {
                // our own temporary copy; the error that matters is the one thrown
            }
        }
    }

    /**
     * The recorded spec as a manifest. Secret values are recorded only as digests, which would be
     * wrong as values: the cloud-init user data is left out (a note says so; the restored disk has
     * already been through its first boot).
     */
    static String manifest(Workload applied, List<String> notes) {
        Map<String, Object> tree = CanonicalForm.toTree(applied);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) tree.get("spec");
        if (spec.remove("cloudInit") != null) {
            notes.add("spec.cloudInit.userData is a secret Berth keeps only as a digest: it is not in the backup (add it"
                    + " back to the restored manifest if the VM needs it again)");
        }
        try {
            return YAML.writeValueAsString(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render a manifest", e);
        }
    }

    /**
     * Runs the part of a restore that changes this host (the check that the name is free and the
     * disk put in place) with the name held: the daemon's {@code HeldNames}, so its reconcile loop
     * neither creates the name from its base image meanwhile nor runs while the disk lands; local
     * mode runs it at once.
     */
    @FunctionalInterface
    public interface Hold {
        RestoreAnswer run(String name, java.util.function.Supplier<RestoreAnswer> work);
    }

    public static RestoreAnswer restore(RuntimeSet runtimes, Path file, String as, Consumer<BackupProgress> progress) {
        return restore(runtimes, file, as, progress, (n, work) -> work.get());
    }

    /**
     * Verifies {@code file} whole (nothing held: the archive's name is known only after it), then
     * under {@code hold} of the name refuses a workload that exists and puts the disk in place.
     */
    public static RestoreAnswer restore(RuntimeSet runtimes, Path file, String as, Consumer<BackupProgress> progress,
                                        Hold hold) {
        String label = as != null ? as : String.valueOf(file == null ? null : file.getFileName());
        if (file == null || !file.isAbsolute() || !Files.isRegularFile(file)) {
            throw new Snapshots.Invalid(label, "--from " + file + " is not " + (file != null && !file.isAbsolute()
                    ? "an absolute path" : "a file on this host") + " (valid: a backup archive NAME-STAMP" + SUFFIX
                    + " made by agent backup); nothing was changed");
        }
        if (as != null && !NAME.matcher(as).matches()) {
            throw new Snapshots.Invalid(as, "--as \"" + as + "\" is not a valid name (valid: a DNS label of at most 63"
                    + " lowercase letters, digits and '-', starting and ending with a letter or digit); nothing was changed");
        }
        BackupArchive.Verified v;
        long size;
        try {
            size = Files.size(file);
            v = BackupArchive.verify(file, n -> progress.accept(new BackupProgress(label, "verifying", n, size)));
        } catch (IOException e) {
            throw new Snapshots.Invalid(label, "refused: " + file + " cannot be restored: " + e.getMessage()
                    + "; nothing was changed");
        }
        BackupInfo info = v.info();
        String name = as != null ? as : info.workload();
        if (!Kind.VirtualMachine.name().equals(info.kind()) || info.part(BackupInfo.DISK).isEmpty()) {
            throw new Snapshots.Invalid(name, "refused: " + file + " holds a " + info.kind() + " backup; only"
                    + " VirtualMachine backups are restored in this version; nothing was changed");
        }
        Workload w;
        try {
            Workload read = CanonicalForm.fromJson(v.specYaml(), new Origin(Path.of(file + "!" + BackupInfo.SPEC), 1, 1));
            w = new Workload(name, read.labels(), read.resources(), read.placement(), read.spec(), read.origin());
        } catch (ManifestException e) {
            throw new Snapshots.Invalid(name, "refused: the spec in " + file + " is not a valid manifest ("
                    + e.errors().getFirst() + "); nothing was changed");
        }
        return hold.run(name, () -> place(runtimes, file, as, name, info, w, progress));
    }

    private static RestoreAnswer place(RuntimeSet runtimes, Path file, String as, String name, BackupInfo info, Workload w,
                                       Consumer<BackupProgress> progress) {
        if (runtimes.owner(name).isPresent()) {
            throw new RuntimeFailure(name, "refused: a workload " + name + " exists on this host; nothing was changed"
                    + (as == null ? " (restore it under another name with --as NEW)" : ""));
        }
        Runtime r = runtimes.require(Kind.VirtualMachine);
        if (!(r instanceof Backups backups)) {
            throw new Snapshots.Invalid(name, "this host's VirtualMachine runtime restores no backups; nothing was changed");
        }
        long disk = info.part(BackupInfo.DISK).get().size();
        List<Path> files = backups.importData(name, file.toString(), tmp -> BackupArchive.extract(file, info,
                BackupInfo.DISK, tmp, n -> progress.accept(new BackupProgress(name, "extracting", n, disk))));
        progress.accept(new BackupProgress(name, "done", disk, disk));
        List<String> notes = new ArrayList<>();
        if (!Hosts.name().equals(info.host())) {
            notes.add("the archive was made on host " + info.host() + ": its spec.disk.image (or image URL) must be"
                    + " valid here too for the manifest to validate, although the restored disk does not use it");
        }
        return new RestoreAnswer(name, info.kind(), file.toString(), info.workload(), info.host(), info.created(),
                files.stream().map(Path::toString).toList(), manifest(w, new ArrayList<>()),
                "apply this manifest: the VM " + name + " is created with the restored disk", notes);
    }

    private static String version() {
        String v = BackupOps.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
