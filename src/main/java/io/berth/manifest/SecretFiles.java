package io.berth.manifest;

import io.berth.manifest.ContainerSpec.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads each {@code spec.secrets} entry's file into the loaded workload (the value is "read at
 * start": at every load, so an edited file is seen by the next plan or apply). A file that is
 * missing, unreadable, not a regular file or larger than {@value #MAX_BYTES} bytes is an error at
 * the {@code file} field naming the workload, the secret and the path, and the workload is left
 * out; the load then fails as a whole, so nothing is applied without its secrets. The value is kept in memory only (see
 * {@link ContainerSpec.Secret}). Blocking (file I/O); thread-safe.
 */
public final class SecretFiles {

    /** Secrets are small (a password, a key, a certificate); 1 MiB bounds what is held in memory. */
    public static final int MAX_BYTES = 1024 * 1024;

    private SecretFiles() {
    }

    /** The workloads with every secret's content read; each problem added to {@code errors}. */
    public static List<Workload> read(List<Workload> workloads, List<ManifestError> errors) {
        List<Workload> out = new ArrayList<>();
        for (Workload w : workloads) {
            if (!(w.spec() instanceof ContainerSpec c) || c.secrets().isEmpty()) {
                out.add(w);
                continue;
            }
            List<Secret> read = new ArrayList<>();
            for (int i = 0; i < c.secrets().size(); i++) {
                Secret s = c.secrets().get(i);
                try {
                    read.add(s.withContent(new String(bytes(Path.of(s.file())), StandardCharsets.ISO_8859_1)));
                } catch (IOException e) {
                    String path = "spec.secrets[" + i + "].file";
                    errors.add(new ManifestError(w.at(path), path, "workload " + Messages.quote(w.name()) + ", secret "
                            + Messages.quote(s.name()) + ": cannot read " + s.file() + ": " + describe(e)
                            + " (valid: a readable regular file of at most 1 MiB on this host)"));
                }
            }
            if (read.size() < c.secrets().size()) {
                continue; // never loaded without its secrets (the load has failed anyway)
            }
            out.add(new Workload(w.name(), w.labels(), w.resources(), w.placement(), c.withSecrets(read), w.origin(),
                    w.positions(), w.dependsOn()));
        }
        return List.copyOf(out);
    }

    private static byte[] bytes(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException("not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            if (b.length > MAX_BYTES) {
                throw new IOException("larger than 1 MiB");
            }
            return b;
        }
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
