package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code agent convert} as the command line runs it: manifests on stdout or one file each with
 * {@code -o}, findings and a summary on stderr, exit 1 when a key was not carried and 0 when all
 * were, existing files never overwritten, and unreadable input one error line with its position.
 */
class ConvertCommandTest {

    static final String SHOP = "src/test/resources/compose/shop.yml";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsTheManifestsAndNamesWhatWasNotCarried() throws Exception {
        Run r = run("convert", "-f", SHOP);
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.out().replace(Path.of(SHOP).toAbsolutePath().getParent().toString(), "COMPOSE_DIR"))
                .isEqualTo(Files.readString(Path.of("src/test/resources/compose/shop.expected.yaml")));
        assertThat(r.err()).contains(SHOP + ":27:5: services.app.build: not carried (Berth runs images")
                .contains(SHOP + ":52:3: services.db: warning: no limits")
                .doesNotContain("services.app.secrets")
                .endsWith("5 manifests; 2 keys not carried (see above)\n");
    }

    @Test
    void writesOneFilePerManifestAndNeverOverwrites() throws Exception {
        Path out = dir.resolve("berth");
        Run r = run("convert", "-f", SHOP, "-o", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("app.yaml", "db.yaml", "network-shop-back.yaml", "network-shop-front.yaml", "web.yaml");
        }
        assertThat(out.resolve("db.yaml")).content().startsWith("# agent convert: shop.yml, services.db\n").contains("name: shop_dbdata");
        Files.writeString(out.resolve("web.yaml"), "mine\n");
        Files.delete(out.resolve("db.yaml"));
        Run again = run("convert", "-f", SHOP, "-o", out.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("error: not overwriting " + out.resolve("network-shop-front.yaml"))
                .contains(out.resolve("web.yaml").toString());
        assertThat(out.resolve("web.yaml")).hasContent("mine");
        assertThat(out.resolve("db.yaml")).as("nothing written when any file exists").doesNotExist();
    }

    @Test
    void exitsZeroWhenEveryKeyIsCarried() throws Exception {
        Path compose = dir.resolve("compose.yaml");
        Files.writeString(compose, "services:\n  web: {image: busybox, cpus: 0.5, mem_limit: 64m}\n");
        Run r = run("convert", "-f", compose.toString(), "-p", "Demo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("name: demo-default").contains("limits: {cpu: 500m, memory: 64Mi}");
        assertThat(r.err()).isEqualTo("2 manifests; every key carried\n");
    }

    @Test
    void unreadableInputIsOneLineWithItsPosition() throws Exception {
        Path compose = dir.resolve("compose.yaml");
        Files.writeString(compose, "services:\n  web: {image: busybox\n");
        Run r = run("convert", "-f", compose.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: " + compose + ":3:1: invalid YAML").doesNotContain("Exception");
        Run missing = run("convert", "-f", dir.resolve("nope.yml").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: " + dir.resolve("nope.yml") + ": no such file\n");
    }
}
