package io.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code agent completion} and {@code agent man} as a shell and man(1) see them: the bash script
 * parses ({@code bash -n}) and completes commands and options when bash runs its completion
 * function; the zsh one is the same script; there is a man page per command, and man renders each
 * with groff reporting no warning. Also {@code agent schema} prints the shipped schema.
 */
class ShellDocsTest {

    @TempDir
    Path dir;

    @Test
    void theBashScriptParsesAndCompletesCommandsAndOptions() throws Exception {
        Path script = dir.resolve("agent.bash");
        Files.writeString(script, run("completion", "bash"));
        assertThat(bash("-n", script.toString()).exit).as("bash -n").isZero();

        assertThat(complete(script, "agent ap")).containsExactly("apply");
        assertThat(complete(script, "agent ")).contains("validate", "plan", "apply", "get", "delete", "schema", "convert", "completion", "man");
        assertThat(complete(script, "agent apply --dr")).containsExactly("--dry-run");
        assertThat(complete(script, "agent completion ")).containsExactlyInAnyOrder("bash", "zsh");
        assertThat(run("completion", "zsh")).isEqualTo(run("completion", "bash")).contains("ZSH_VERSION");
        assertThat(run("completion", "bash", "--name", "berth")).contains("complete -F _complete_berth -o default berth");
    }

    @Test
    void everyCommandHasAManPageThatManRendersWithoutWarnings() throws Exception {
        Path man = dir.resolve("man");
        run("man", man.toString());
        List<String> expected = new ArrayList<>(List.of("agent.1"));
        Main.commandLine().getSubcommands().forEach((c, cmd) -> {
            expected.add("agent-" + c + ".1");
            cmd.getSubcommands().keySet().forEach(sub -> expected.add("agent-" + c + "-" + sub + ".1")); // agent snapshot create
        });
        try (var files = Files.list(man)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(expected);
        }
        for (String page : expected) {
            Result r = exec(List.of("groff", "-man", "-Tutf8", "-ww", man.resolve(page).toString()));
            assertThat(r.err).as(page + ": groff warnings").isEmpty();
            assertThat(r.exit).isZero();
            String name = page.replace(".1", "");
            assertThat(r.out.replaceAll(".\b", "")).as(page).contains("NAME", "SYNOPSIS", "DESCRIPTION")
                    .containsPattern(java.util.regex.Pattern.quote(name) + " +- ");
        }
        Path berth = dir.resolve("berth");
        run("man", berth.toString(), "--name", "berth");
        assertThat(berth.resolve("berth-apply.1")).content().contains(".TH \"BERTH-APPLY\"", "berth apply");
        Result apply = exec(List.of("man", "-l", man.resolve("agent-apply.1").toString()));
        assertThat(apply.exit).isZero();
        assertThat(apply.out).contains("--dry-run", "Print the plan and change nothing");
    }

    @Test
    void schemaPrintsTheShippedSchema() throws Exception {
        assertThat(run("schema")).isEqualTo(Files.readString(Path.of("deploy/schema/berth.schema.json")));
    }

    /** The words bash's completion function offers for {@code line} (the cursor at its end). */
    private List<String> complete(Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        String program = "source " + script + "\n"
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words + "); "
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "_complete_agent agent \"${COMP_WORDS[$COMP_CWORD]}\" \"${COMP_WORDS[$COMP_CWORD-1]}\"\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Result r = bash("-c", program);
        assertThat(r.exit).as(r.err).isZero();
        return r.out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        assertThat(cmd.execute(args)).as(String.join(" ", args)).isZero();
        return out.toString();
    }

    record Result(int exit, String out, String err) {
    }

    private static Result bash(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash"));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private static Result exec(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("MANWIDTH", "100");
        pb.environment().put("MANPAGER", "cat");
        pb.environment().put("PAGER", "cat");
        Process p = pb.start();
        p.getOutputStream().close();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                err.complete(e.toString());
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err.get(60, TimeUnit.SECONDS));
    }
}
