package io.berth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.manifest.HostIdentity;
import io.berth.manifest.HostPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Map;

import io.berth.manifest.ManifestError;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.NetworkManifest;
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

    /** The body type the daemon reads as the client's files (see the daemon's ManifestBodies). */
    static final String FILES_TYPE = "application/vnd.berth.files+json";

    private byte[] stdin;
    private List<Path> files = List.of();
    private List<NetworkManifest> networks = List.of();

    /** Loads and validates; on any error prints every one as file:line:col and throws. */
    List<Workload> load(PrintWriter err) {
        if (paths.contains("-")) {
            try {
                stdin = System.in.readNBytes(ManifestLoader.MAX_FILE_BYTES + 1);
            } catch (IOException e) {
                throw new UserError("cannot read standard input: " + e.getMessage());
            }
        }
        ManifestLoader.LoadResult result = new ManifestLoader(new ByteArrayInputStream(stdin == null ? new byte[0] : stdin),
                HostPolicy.fromEnvironment()).withExistingNetworks(existingNetworks()).load(paths);
        files = result.files();
        networks = result.networks();
        if (!result.errors().isEmpty()) {
            for (ManifestError e : result.errors()) {
                err.println(e);
            }
            err.flush();
            throw new InvalidManifests(result.errors().size());
        }
        return result.workloads();
    }

    /** Berth's networks already on this host, asked of Docker only for a name the manifests do not declare. */
    private static java.util.function.Predicate<String> existingNetworks() {
        java.util.concurrent.atomic.AtomicReference<Set<String>> known = new java.util.concurrent.atomic.AtomicReference<>();
        return name -> known.updateAndGet(k -> k != null ? k : io.berth.runtime.RuntimeSet.networkNames(Session.agentName()))
                .contains(name);
    }

    /**
     * The files just loaded, for the daemon: {@code {"files":[{"name","source","content"}]}}, so
     * that the daemon reads exactly what was validated here, and its errors name these files.
     */
    byte[] filesBody() {
        List<Map<String, String>> list = new ArrayList<>();
        for (Path f : files) {
            byte[] content;
            try {
                content = f.equals(ManifestLoader.STDIN) ? stdin : Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UserError(f + ": cannot read: " + e.getMessage());
            }
            String source = f.equals(ManifestLoader.STDIN) ? sourceOf("-") : sourceOfFile(f);
            list.add(Map.of("name", f.toString(), "source", source, "content", new String(content, StandardCharsets.UTF_8)));
        }
        try {
            return new ObjectMapper().writeValueAsBytes(Map.of("files", list));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This host for {@code spec.placement} in --local mode: BERTH_HOST_NAME (else the agent name) and BERTH_HOST_LABELS. */
    static HostIdentity localHost() {
        String name = System.getenv("BERTH_HOST_NAME");
        try {
            return new HostIdentity(name == null || name.isBlank() ? Session.agentName() : name.strip(),
                    HostIdentity.parseLabels(System.getenv("BERTH_HOST_LABELS")));
        } catch (IllegalArgumentException e) {
            throw new UserError("BERTH_HOST_LABELS: " + e.getMessage());
        }
    }

    Set<String> sources() {
        Set<String> out = new LinkedHashSet<>();
        for (String p : paths) {
            out.add(sourceOf(p));
        }
        return out;
    }

    String sourceOf(Workload w) {
        return sourceOfFile(w.origin().file());
    }

    /** The kind: Network documents of the last load. */
    List<NetworkManifest> networks() {
        return networks;
    }

    String sourceOfNetwork(String network) {
        return networks.stream().filter(n -> n.name().equals(network)).findFirst()
                .map(n -> sourceOfFile(n.origin().file())).orElseThrow();
    }

    private String sourceOfFile(Path origin) {
        if (source != null) {
            return source;
        }
        Path file = origin.toAbsolutePath().normalize();
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
