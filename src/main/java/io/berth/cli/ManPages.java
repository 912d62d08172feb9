package io.berth.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes a man page (roff, section 1, the {@code man} macros) for a picocli command from its model:
 * NAME, SYNOPSIS, DESCRIPTION, ARGUMENTS, OPTIONS, COMMANDS (for one with subcommands) and SEE ALSO.
 * Built here rather than with picocli-codegen's ManPageGenerator, which writes AsciiDoc and would
 * need asciidoctor to become a man page; this needs nothing but picocli. Text is escaped for roff
 * (backslashes, and lines starting with a dot or a quote). Pure and thread-safe.
 */
final class ManPages {

    private ManPages() {
    }

    /** The page's file name: {@code agent.1}, {@code agent-apply.1}. */
    static String fileName(CommandSpec spec) {
        return spec.qualifiedName("-") + ".1";
    }

    /** Every command below {@code root}, root first, depth first. */
    static List<CommandSpec> all(CommandSpec root) {
        List<CommandSpec> out = new ArrayList<>();
        out.add(root);
        for (CommandLine sub : root.subcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden() && !out.contains(sub.getCommandSpec())) {
                out.addAll(all(sub.getCommandSpec()));
            }
        }
        return out.stream().distinct().toList();
    }

    static String page(CommandSpec spec, String version) {
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        String title = spec.qualifiedName("-");
        StringBuilder b = new StringBuilder();
        b.append(".TH \"").append(title.toUpperCase(Locale.ROOT)).append("\" \"1\" \"\" \"").append(esc(version))
                .append("\" \"Berth Manual\"\n");
        b.append(".SH NAME\n").append(esc(title)).append(" \\- ").append(esc(firstLine(spec))).append('\n');
        b.append(".SH SYNOPSIS\n.nf\n").append(lines(help.synopsis(0).strip())).append(".fi\n");
        b.append(".SH DESCRIPTION\n");
        for (String d : spec.usageMessage().description()) {
            b.append(lines(Help.Ansi.OFF.string(d).replace("%n", "\n"))).append(".PP\n");
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            b.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                b.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n").append(lines(String.join(" ", p.description())));
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            b.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                b.append(".TP\n").append(optionHead(o)).append('\n').append(lines(String.join(" ", o.description())));
            }
        }
        List<CommandSpec> subs = spec.subcommands().values().stream().map(CommandLine::getCommandSpec)
                .filter(s -> !s.usageMessage().hidden()).distinct().toList();
        if (!subs.isEmpty()) {
            b.append(".SH COMMANDS\n");
            for (CommandSpec s : subs) {
                b.append(".TP\n\\fB").append(esc(s.name())).append("\\fR\n").append(lines(firstLine(s)))
                        .append("See \\fB").append(esc(s.qualifiedName("-"))).append("\\fR(1).\n");
            }
        }
        b.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (spec.parent() != null) {
            see.add("\\fB" + esc(spec.root().qualifiedName("-")) + "\\fR(1)");
        }
        subs.forEach(s -> see.add("\\fB" + esc(s.qualifiedName("-")) + "\\fR(1)"));
        see.add("the README of Berth (manifests, API, metrics)");
        b.append(String.join(", ", see)).append('\n');
        return b.toString();
    }

    private static String optionHead(OptionSpec o) {
        StringBuilder h = new StringBuilder();
        for (String n : o.names()) {
            h.append(h.isEmpty() ? "" : ", ").append("\\fB").append(esc(n)).append("\\fR");
        }
        if (o.arity().max() > 0 && !o.paramLabel().isEmpty()) {
            h.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
        }
        return h.toString();
    }

    private static String firstLine(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        return d.length == 0 ? spec.name() : Help.Ansi.OFF.string(d[0]).replace("%n", " ").strip();
    }

    /** Text as roff input lines, each escaped, ending in a newline. */
    private static String lines(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            b.append(esc(line)).append('\n');
        }
        return b.toString();
    }

    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
