package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Input meant to hang, exhaust or crash the parser: each must give one clear error, fast. */
@Timeout(10)
class HostileInputTest {

    @TempDir
    Path tmp;

    private static List<ManifestError> parse(String text) {
        ManifestParser.ParseResult r = new ManifestParser(HostPolicy.DEFAULT).parse(Path.of("evil.yaml"), text);
        assertThat(r.workloads()).isEmpty();
        return r.errors();
    }

    /** The classic: 9 levels of 9 aliases each, a billion strings once expanded. */
    @Test
    void billionLaughsIsStoppedByTheAliasLimit() {
        StringBuilder b = new StringBuilder("apiVersion: berth.io/v1\nkind: Container\nmetadata: {name: lol}\nspec:\n");
        b.append("  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i <= 9; i++) {
            String prev = "*a" + (i - 1);
            b.append("  a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(",", java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        List<ManifestError> errors = parse(b.toString());
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.message()).isEqualTo("YAML aliases expand too far (more than 50 aliases to lists or mappings in one file)");
            assertThat(e.origin().line()).isBetween(5, 15);
        });
    }

    /** Under the alias limit (10 levels of 5 = 50 aliases) but still ~10 million nodes: the node budget stops it. */
    @Test
    void aliasBombWithinTheAliasLimitIsStoppedByTheNodeBudget() {
        StringBuilder b = new StringBuilder("apiVersion: berth.io/v1\nkind: Container\nmetadata: {name: lol}\nspec:\n  args: ");
        b.append("&a0 [x, x, x, x, x]\n");
        for (int i = 1; i <= 10; i++) {
            b.append("  env").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(5, "*a" + (i - 1)))).append("]\n");
        }
        List<ManifestError> errors = parse(b.toString());
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.toString()).isEqualTo("evil.yaml:1:1: YAML aliases expand too far (more than 100000 nodes once aliases are expanded)");
        });
    }

    @Test
    void selfReferencingAliasIsStopped() {
        assertThat(parse("a: &a [*a, *a]\n")).extracting(ManifestError::message)
                .containsExactly("YAML aliases expand too far (more than 100000 nodes once aliases are expanded)");
    }

    @Test
    void aHugeDocumentWithoutAliasesIsToldItIsTooLarge() {
        String text = "args: [" + "x,".repeat(120_000) + "x]\n";
        assertThat(parse(text)).extracting(ManifestError::message)
                .containsExactly("document is too large (more than 100000 YAML nodes)");
    }

    @Test
    void tenThousandLevelsOfFlowNestingIsOneError() {
        String text = "spec: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";
        assertThat(parse(text)).singleElement().satisfies(e -> {
            assertThat(e.message()).isEqualTo("YAML is nested too deeply (more than 50 levels)");
            assertThat(e.origin().line()).isEqualTo(1);
            assertThat(e.origin().column()).isBetween(50, 60);
        });
    }

    @Test
    void tenThousandLevelsOfBlockNestingIsOneError() {
        String text = "- ".repeat(10_000) + "x\n";
        assertThat(parse(text)).extracting(ManifestError::message).containsExactly("YAML is nested too deeply (more than 50 levels)");
        StringBuilder mappings = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            mappings.append("{a: ");
        }
        mappings.append("x").append("}".repeat(10_000)).append('\n');
        assertThat(parse(mappings.toString())).extracting(ManifestError::message)
                .containsExactly("YAML is nested too deeply (more than 50 levels)");
    }

    @Test
    void fiftyMegabyteFileIsRefusedWithoutParsing() throws Exception {
        Path big = tmp.resolve("big.yaml");
        try (BufferedWriter w = Files.newBufferedWriter(big)) {
            String line = "# " + "x".repeat(1021) + "\n"; // 1 KiB
            for (int i = 0; i < 50 * 1024; i++) {
                w.write(line);
            }
        }
        assertThat(Files.size(big)).isEqualTo(50L * 1024 * 1024);
        long start = System.nanoTime();
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(big.toString()));
        assertThat(r.errors()).extracting(ManifestError::toString)
                .containsExactly(big + ":1:1: file is 50.0 MiB; manifests are limited to 4 MiB");
        assertThat(System.nanoTime() - start).as("nanoseconds").isLessThan(2_000_000_000L);
    }

    @Test
    void aFileJustOverTheLimitSaysHowMuchInBytes() {
        assertThat(ManifestLoader.tooBig(4 * 1024 * 1024 + 1)).isEqualTo("file is 4194305 bytes; manifests are limited to 4 MiB");
        assertThat(ManifestLoader.tooBig(5L * 1024 * 1024)).isEqualTo("file is 5.0 MiB; manifests are limited to 4 MiB");
    }

    @Test
    void endlessStandardInputIsCutOffAtTheLimit() {
        long[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return '#';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) '#');
                served[0] += len;
                return len;
            }
        };
        ManifestLoader.LoadResult r = new ManifestLoader(endless).load(List.of("-"));
        assertThat(r.errors()).extracting(ManifestError::toString)
                .containsExactly("<stdin>:1:1: input is more than 4 MiB; manifests are limited to 4 MiB");
        assertThat(served[0]).isLessThanOrEqualTo(ManifestLoader.MAX_FILE_BYTES + 64 * 1024);
    }

    @Test
    void randomBinaryGarbageIsNotAText() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(42).nextBytes(garbage);
        Path f = Files.write(tmp.resolve("garbage.yaml"), garbage);
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(f.toString()));
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEmpty();
            assertThat(e.message()).matches("not a text file \\((NUL byte|invalid UTF-8) at byte \\d+\\)");
        });
        assertThat(r.workloads()).isEmpty();
    }

    @Test
    void nulAndInvalidUtf8ArePinpointed() throws Exception {
        Path nul = Files.write(tmp.resolve("nul.yaml"), "a: 1\nbé: x\0y\n".getBytes(StandardCharsets.UTF_8));
        Path latin1 = Files.write(tmp.resolve("latin1.yaml"), "name: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Path utf16 = Files.write(tmp.resolve("utf16.yaml"), "a: 1\n".getBytes(StandardCharsets.UTF_16));
        ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(nul.toString(), latin1.toString(), utf16.toString()));
        assertThat(r.errors()).extracting(ManifestError::toString).containsExactly(
                nul + ":2:6: not a text file (NUL byte at byte 11)",
                latin1 + ":1:10: not a text file (invalid UTF-8 at byte 9)",
                utf16 + ":1:1: not a text file (invalid UTF-8 at byte 0; it looks like UTF-16, and manifests must be UTF-8)");
    }

    @Test
    void controlCharacterInYamlIsAPositionedError() {
        assertThat(parse("a: 1\nb: x\u0007y\n")).extracting(ManifestError::toString)
                .containsExactly("evil.yaml:2:5: character U+0007 is not allowed in YAML (special characters are not allowed)");
    }

    @Test
    void pythonTagsAreRefusedNotRun() {
        assertThat(parse("a: !!python/object/apply:os.system [\"echo hi\"]\n")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("Global tag is not allowed"));
    }

    /** Mutations of a valid manifest: whatever comes out, it is errors or workloads, never an exception. */
    @Test
    void fuzzedManifestsNeverThrow() throws Exception {
        String base = Files.readString(Path.of("src/test/resources/manifests/valid/container-rich.yaml"))
                + "---\n" + Files.readString(Path.of("src/test/resources/manifests/valid/vm.yaml"));
        String alphabet = " \t\n:-[]{},&*!|>'\"%@`#?~0aZ.\\/\u00e9\u2028";
        Random random = new Random(7);
        ManifestParser parser = new ManifestParser(HostPolicy.DEFAULT);
        for (int round = 0; round < 3000; round++) {
            StringBuilder b = new StringBuilder(base);
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits; i++) {
                int at = random.nextInt(b.length());
                switch (random.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    default -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            ManifestParser.ParseResult r = parser.parse(Path.of("fuzz.yaml"), b.toString());
            assertThat(r.workloads().size() + r.errors().size()).as(b.toString()).isPositive();
            for (ManifestError e : r.errors()) {
                assertThat(e.origin().line()).isPositive();
                assertThat(e.origin().column()).isPositive();
                assertThat(e.message()).isNotBlank().doesNotContain("Exception");
            }
        }
    }
}
