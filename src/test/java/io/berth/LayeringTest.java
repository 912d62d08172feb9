package io.berth;


import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package tree is the architecture (README "Layout"): each package's {@code package-info.java}
 * says what it may import in a line {@code May import: a, b.c.}, and this test holds every source
 * file of src/main to it, imports and fully qualified names alike. It also keeps files small
 * enough to read.
 */
class LayeringTest {

    private static final Path ROOT = Path.of("src/main/java/io/berth");
    private static final Pattern MAY_IMPORT = Pattern.compile("May import:([^.]*(?:\\.[a-z][^.]*)*)\\.");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.berth\\.([a-z][a-z.]*?)\\.[A-Z]");
    /** "No file in src/main over ~400 lines" (the restructure's rule). */
    private static final int MAX_LINES = 420;

    @Test
    void everyPackageSaysWhatItMayImport() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path dir : packages()) {
            Path info = dir.resolve("package-info.java");
            if (!Files.exists(info) || !MAY_IMPORT.matcher(Files.readString(info)).find()) {
                missing.add(ROOT.relativize(dir).toString());
            }
        }
        assertThat(missing).as("packages without a package-info.java naming what they may import").isEmpty();
    }

    @Test
    void everyFileImportsOnlyWhatItsPackageAllows() throws IOException {
        TreeMap<String, Set<String>> violations = new TreeMap<>();
        for (Path dir : packages()) {
            Path info = dir.resolve("package-info.java");
            if (!Files.exists(info)) {
                continue;
            }
            String pkg = name(dir);
            Set<String> allowed = allowed(Files.readString(info));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = REFERENCE.matcher(code(Files.readString(f)));
                    while (m.find()) {
                        String used = m.group(1);
                        if (!used.equals(pkg) && !allowed.contains(used)) {
                            violations.computeIfAbsent(ROOT.relativize(f).toString(), k -> new LinkedHashSet<>()).add(used);
                        }
                    }
                }
            }
        }
        assertThat(violations).as("files using packages their package-info does not allow").isEmpty();
    }

    @Test
    void noSourceFileIsLongerThanAboutFourHundredLines() throws IOException {
        TreeMap<String, Long> long_ = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                long lines = Files.readAllLines(f).size();
                if (lines > MAX_LINES) {
                    long_.put(ROOT.relativize(f).toString(), lines);
                }
            }
        }
        assertThat(long_).as("files over " + MAX_LINES + " lines: split them by concern").isEmpty();
    }

    @Test
    void theRuleReaderSeesWhatItShould() {
        // The parser behind the two tests above: if it read nothing, they could not fail.
        assertThat(allowed("/**\n * Text.\n *\n * <p>May import: manifest, runtime.docker, util.\n */"))
                .containsExactly("manifest", "runtime.docker", "util");
        assertThat(allowed("May import: nothing of Berth's.")).isEmpty();
        Matcher m = REFERENCE.matcher(code("import io.berth.runtime.docker.DockerRuntime; // io.berth.cli.Main\n"
                + "/* io.berth.api.Views */ io.berth.manifest.HostIdentity h;"));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertThat(found).containsExactly("runtime.docker", "manifest");
    }

    private static List<Path> packages() throws IOException {
        try (Stream<Path> dirs = Files.walk(ROOT)) {
            List<Path> out = new ArrayList<>();
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(d)) {
                    if (files.anyMatch(p -> p.toString().endsWith(".java"))) {
                        out.add(d);
                    }
                }
            }
            return out;
        }
    }

    /** The package's name below io.berth, as the rules write it ("runtime.docker"). */
    private static String name(Path dir) {
        return ROOT.relativize(dir).toString().replace('/', '.');
    }

    private static Set<String> allowed(String packageInfo) {
        Matcher m = MAY_IMPORT.matcher(packageInfo.replaceAll("\\s*\\n\\s*\\*\\s*", " "));
        Set<String> out = new LinkedHashSet<>();
        if (m.find()) {
            for (String part : m.group(1).split(",")) {
                String p = part.strip();
                if (p.matches("[a-z][a-z.]*[a-z]")) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The source without comments, so Javadoc links do not count as dependencies. */
    private static String code(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
