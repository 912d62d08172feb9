package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under manifests/invalid/ states the errors it must produce in its leading
 * {@code # expect: LINE:COL: FIELD: message substring} lines ({@code -} for no field). The file must
 * give exactly those errors, in that order, and no workload.
 */
class InvalidFixturesTest {

    static final Path DIR = Path.of("src/test/resources/manifests/invalid");
    private static final Pattern EXPECT = Pattern.compile("# expect: (\\d+):(\\d+): (\\S+): (.+)");

    record Expected(int line, int column, String field, String message) {
    }

    static Stream<Path> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereAreEnoughKindsOfMistake() throws IOException {
        assertThat(fixtures().count()).isGreaterThanOrEqualTo(35);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void producesExactlyTheExpectedErrors(Path file) throws IOException {
        List<Expected> expected = expectations(file);
        assertThat(expected).as("the fixture states its errors").isNotEmpty();

        ManifestLoader.LoadResult result = new ManifestLoader().load(List.of(file.toString()));

        assertThat(result.workloads()).as("no workload from an invalid file").isEmpty();
        assertThat(result.errors()).as(result.errors().toString()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            ManifestError actual = result.errors().get(i);
            Expected want = expected.get(i);
            assertThat(actual.origin().file()).isEqualTo(file);
            assertThat(actual.origin().line() + ":" + actual.origin().column() + " " + actual.field())
                    .as(actual.toString())
                    .isEqualTo(want.line() + ":" + want.column() + " " + want.field());
            assertThat(actual.message()).contains(want.message());
        }
    }

    static List<Expected> expectations(Path file) throws IOException {
        List<Expected> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            Matcher m = EXPECT.matcher(line);
            if (!m.matches()) {
                break;
            }
            String field = m.group(3).equals("-") ? "" : m.group(3);
            out.add(new Expected(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), field, m.group(4)));
        }
        return out;
    }
}
