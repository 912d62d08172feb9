package io.berth.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Loads manifests from files, directories and standard input, the way {@code agent validate/plan/
 * apply -f} reads them. A file is read whatever its name; a directory is read recursively in name
 * order, taking only {@code .yaml}/{@code .yml} files and skipping dotfiles, dot-directories and
 * editor swap and backup files; {@code -} is standard input (reported as {@code <stdin>}). Files over
 * {@value #MAX_FILE_BYTES} bytes and binary files are refused without being parsed. Workload names
 * must be unique across everything loaded at once, and so must published host ports; dependencies
 * ({@code dependsOn}) must name workloads of the same load ({@link LoadChecks}).
 *
 * <p>Blocking (file and stdin I/O). Thread-safe as long as the standard input stream is not shared
 * by concurrent calls; loading the same unchanged files twice gives equal results.
 */
public final class ManifestLoader {

    public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    public static final Path STDIN = Path.of("<stdin>");

    /** Editor swap, backup and lock files, which sit next to manifests and must never be applied. */
    private static final Pattern EDITOR_LEFTOVER =
            Pattern.compile(".*~|.*\\.(swp|swo|swx|bak|orig|tmp)|#.*#|\\.#.*", Pattern.CASE_INSENSITIVE);

    /**
     * Everything one load produced. {@code workloads} holds only valid, uniquely named workloads;
     * {@code errors} are sorted by file (in the order files were read), line and column;
     * {@code files} lists each file read, in order.
     */
    public record LoadResult(List<Workload> workloads, List<NetworkManifest> networks, List<ManifestError> errors,
                             List<Path> files) {
        public LoadResult {
            workloads = List.copyOf(workloads);
            networks = List.copyOf(networks);
            errors = List.copyOf(errors);
            files = List.copyOf(files);
        }

        public LoadResult(List<Workload> workloads, List<ManifestError> errors, List<Path> files) {
            this(workloads, List.of(), errors, files);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final InputStream stdin;
    private final ManifestParser parser;
    private Predicate<String> existingNetworks = name -> false;
    private String networksRefused;

    /** Reads standard input for {@code -}; VM image paths checked against BERTH_IMAGE_DIRS. */
    public ManifestLoader() {
        this(System.in, HostPolicy.fromEnvironment());
    }

    /** @param stdin what {@code -} reads */
    public ManifestLoader(InputStream stdin) {
        this(stdin, HostPolicy.fromEnvironment());
    }

    public ManifestLoader(InputStream stdin, HostPolicy images) {
        this.stdin = stdin;
        this.parser = new ManifestParser(images);
    }

    /**
     * Networks that exist without being declared in the load (Berth's networks already on the host),
     * asked only for a name that {@code spec.networks} uses and the load does not declare.
     */
    public ManifestLoader withExistingNetworks(Predicate<String> existing) {
        this.existingNetworks = existing;
        return this;
    }

    /**
     * Makes every {@code kind: Network} document an error at its position, saying {@code why}: for
     * loaders whose caller cannot make networks (the daemon, for now), so a network is never
     * silently ignored.
     */
    public ManifestLoader refusingNetworks(String why) {
        this.networksRefused = why;
        return this;
    }

    public LoadResult load(List<String> paths) {
        Session s = new Session();
        for (String p : paths) {
            if (p.equals("-")) {
                s.text(STDIN, () -> readBounded(stdin));
                continue;
            }
            Path path;
            try {
                path = Path.of(p);
            } catch (InvalidPathException e) {
                s.error(Path.of(p.replace('\0', '?')), "not a valid path (" + e.getReason() + ")");
                continue;
            }
            if (Files.isDirectory(path)) {
                s.directory(path);
            } else if (Files.exists(path)) {
                s.file(path);
            } else {
                s.error(path, "no such file or directory");
            }
        }
        return s.finish();
    }

    /** Loads manifest bytes received some other way (an HTTP body), under the given name. */
    public LoadResult loadBytes(Path name, byte[] content) {
        return loadTexts(Map.of(name, content));
    }

    /**
     * Loads several texts received some other way (the files a client sent) as one set: a name
     * declared twice across them is an error, like across files on disk. Iteration order of
     * {@code texts} is the reading order.
     */
    public LoadResult loadTexts(Map<Path, byte[]> texts) {
        Session s = new Session();
        texts.forEach((name, content) -> s.text(name, () -> content));
        return s.finish();
    }

    public static boolean isManifestName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (lower.endsWith(".yaml") || lower.endsWith(".yml"))
                && !EDITOR_LEFTOVER.matcher(name).matches();
    }

    static String tooBig(long bytes) {
        String mib = String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
        // Just over the limit, "4.0 MiB" would read as within it: give the bytes instead.
        String size = mib.equals("4.0 MiB") ? bytes + " bytes" : mib;
        return "file is " + size + "; manifests are limited to 4 MiB";
    }

    /** Up to one byte more than the limit, so an oversized stream is detected without reading it all. */
    private static byte[] readBounded(InputStream in) throws IOException {
        return in.readNBytes(MAX_FILE_BYTES + 1);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return "cannot read (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
    }

    private interface Bytes {
        byte[] read() throws IOException;
    }

    /** The state of one load call. */
    private final class Session {
        private final Map<Path, Integer> order = new HashMap<>();
        private final List<Path> files = new ArrayList<>();
        private final Set<Path> seen = new HashSet<>();
        private final List<ManifestError> errors = new ArrayList<>();
        private final List<ManifestParser.Parsed> parsed = new ArrayList<>();

        void error(Path file, String message) {
            order.putIfAbsent(file, order.size());
            errors.add(new ManifestError(Origin.unknown(file), "", message));
        }

        void directory(Path dir) {
            Set<Path> visiting = new HashSet<>();
            walk(dir, visiting);
        }

        private void walk(Path dir, Set<Path> visiting) {
            try {
                if (!visiting.add(dir.toRealPath())) {
                    return; // a symlink loop back to a directory being read
                }
                List<Path> entries;
                try (Stream<Path> list = Files.list(dir)) {
                    entries = list.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
                }
                for (Path e : entries) {
                    String name = e.getFileName().toString();
                    if (name.startsWith(".")) {
                        continue;
                    }
                    if (Files.isDirectory(e)) {
                        walk(e, visiting);
                    } else if (Files.isRegularFile(e) && isManifestName(name)) {
                        file(e);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                error(dir, describe(io));
            }
        }

        void file(Path file) {
            text(file, () -> {
                long size = Files.size(file);
                if (size > MAX_FILE_BYTES) {
                    throw new TooBig(size);
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return readBounded(in);
                }
            });
        }

        void text(Path name, Bytes source) {
            Path key = name;
            try {
                key = name.equals(STDIN) ? STDIN : name.toRealPath();
            } catch (IOException e) {
                // keep the given path; reading will report the problem
            }
            if (!seen.add(key)) {
                return; // named twice (a file and its directory): read once, or every name would clash
            }
            order.putIfAbsent(name, order.size());
            files.add(name);
            byte[] bytes;
            try {
                bytes = source.read();
            } catch (TooBig e) {
                error(name, tooBig(e.size));
                return;
            } catch (IOException e) {
                error(name, describe(e));
                return;
            }
            if (bytes.length > MAX_FILE_BYTES) {
                // Only a stream of unknown size (stdin, a pipe) gets here, and only its first 4 MiB were read.
                error(name, (name.equals(STDIN) ? "input" : "file") + " is more than 4 MiB; manifests are limited to 4 MiB");
                return;
            }
            String text = TextCheck.decode(name, bytes, errors);
            if (text != null) {
                parsed.addAll(parser.parseDocuments(name, text, errors));
            }
        }

        LoadResult finish() {
            Map<String, ManifestParser.Parsed> byName = new LinkedHashMap<>();
            List<Workload> workloads = new ArrayList<>();
            List<NetworkManifest> networks = NetworkRefs.unique(parsed, errors);
            if (networksRefused != null) {
                networks.forEach(n -> errors.add(new ManifestError(n.origin(), "kind", "kind: Network " + Messages.quote(n.name())
                        + " " + networksRefused)));
                networks = List.of();
            }
            for (ManifestParser.Parsed p : parsed) {
                if (p.workload() == null) {
                    continue;
                }
                ManifestParser.Parsed first = byName.putIfAbsent(p.workload().name(), p);
                if (first == null) {
                    workloads.add(p.workload());
                } else {
                    errors.add(new ManifestError(p.nameOrigin(), "metadata.name", "duplicate workload name "
                            + Messages.quote(p.workload().name()) + " (first defined at " + first.nameOrigin() + ")"));
                }
            }
            workloads = NetworkRefs.resolve(workloads, networks, existingNetworks, errors);
            LoadChecks.check(workloads, errors);
            workloads = SecretFiles.read(workloads, errors);
            errors.sort(Comparator.comparingInt((ManifestError e) -> order.getOrDefault(e.origin().file(), Integer.MAX_VALUE))
                    .thenComparing(ManifestError.BY_POSITION));
            return new LoadResult(workloads, networks, errors, files);
        }
    }

    private static final class TooBig extends IOException {
        final long size;

        TooBig(long size) {
            super(null, null);
            this.size = size;
        }
    }
}
