package io.berth.convert;

import io.berth.manifest.Quantities;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose's own value syntaxes, turned into Berth's: a command string split into words the way
 * Compose splits it (POSIX shell quoting, no expansion), and memory sizes in Docker's units
 * ({@code 512m} is 512 MiB there, while Berth's {@code M} is 1000²). Pure; each method throws
 * IllegalArgumentException with a message for the user.
 */
final class Words {

    private static final Pattern DOCKER_MEMORY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?) ?([kmgtp])?i?b?", Pattern.CASE_INSENSITIVE);

    private Words() {
    }

    /** {@code sh -c 'echo "a b"'} → [sh, -c, echo "a b"]: single and double quotes and backslashes, as a POSIX shell. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (word != null) {
                    out.add(word.toString());
                    word = null;
                }
                continue;
            }
            word = word == null ? new StringBuilder() : word;
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote");
                }
                word.append(line, i + 1, end);
                i = end;
            } else if (c == '"') {
                i++;
                for (; i < line.length() && line.charAt(i) != '"'; i++) {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
                        d = line.charAt(++i);
                    }
                    word.append(d);
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated double quote");
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            out.add(word.toString());
        }
        return out;
    }

    /** Docker's memory units (binary: {@code 512m}, {@code 1g}, {@code 1gb}, bytes) as a Berth quantity. */
    static String memory(String text) {
        Matcher m = DOCKER_MEMORY.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a memory size (valid: bytes, or a number with b, k, m, g, t, like 512m)");
        }
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        int power = "kmgtp".indexOf(unit.isEmpty() ? "x" : unit) + 1;
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        long whole = bytes.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        if (whole <= 0) {
            throw new IllegalArgumentException("\"" + text + "\" is zero");
        }
        return Quantities.formatMemory(whole);
    }

    /** Compose's {@code cpus: 0.5} as a Berth CPU quantity ("500m", "2"). */
    static String cpu(String text) {
        return Quantities.formatCpu(Quantities.parseCpu(text));
    }

    /** A Compose duration (Go's syntax, like {@code 1m30s}) as Berth's, when Berth can say it. */
    static String duration(String text) {
        return Quantities.formatDuration(Quantities.parseDuration(text));
    }

    /** A DNS label made from a Compose name: lower case, other characters as '-', at most 63; "" if nothing is left. */
    static String label(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return s.length() > 63 ? s.substring(0, 63).replaceAll("-+$", "") : s;
    }
}
