package io.berth.cli;

import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code -f PATH...} options shared by validate, plan, apply and delete, and the rule that
 * names each workload's source: the {@code -f} argument it was read from (absolute), or
 * {@code --source}. Prune reaches only the sources of the current call.
 */
public class ManifestInput {

    @Option(names = {"-f", "--filename"}, required = true, arity = "1..*", paramLabel = "PATH",
            description = "Manifest files or directories (recursive), or - for standard input.")
    List<String> paths;

    @Option(names = "--source", paramLabel = "NAME",
            description = "Name of the manifest source for ownership and prune (default: each -f path, absolute).")
    String source;

    /** Loads and validates; on any error prints every one as file:line:col and throws. */
    List<Workload> load(PrintWriter err) {
        ManifestLoader.LoadResult result = new ManifestLoader().load(paths);
        if (!result.errors().isEmpty()) {
            for (ManifestError e : result.errors()) {
                err.println(e);
            }
            err.flush();
            throw new InvalidManifests(result.errors().size());
        }
        return result.workloads();
    }

    Set<String> sources() {
        Set<String> out = new LinkedHashSet<>();
        for (String p : paths) {
            out.add(sourceOf(p));
        }
        return out;
    }

    String sourceOf(Workload w) {
        if (source != null) {
            return source;
        }
        Path file = w.origin().file().toAbsolutePath().normalize();
        for (String p : paths) {
            if (!p.equals("-") && file.startsWith(Path.of(p).toAbsolutePath().normalize())) {
                return sourceOf(p);
            }
        }
        return file.toString();
    }

    private String sourceOf(String path) {
        if (source != null) {
            return source;
        }
        return path.equals("-") ? "stdin" : Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** Thrown after the errors were printed: exit 1 with a one-line summary. */
    static final class InvalidManifests extends UserError {
        InvalidManifests(int count) {
            super(count + (count == 1 ? " error" : " errors") + " in the manifests; nothing was changed");
        }
    }
}
