package io.berth.manifest;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the manifest's quantities: CPU (cores or millicores), memory (binary and decimal
 * units, or bytes) and durations. Parsers throw {@link IllegalArgumentException} whose message is a
 * complete user-facing sentence naming the bad text and what would be valid. Formatters produce the
 * one canonical spelling of an amount, which the parsers read back to the same value. Pure and
 * thread-safe.
 */
public final class Quantities {

    /** Beyond this a value is a typo, not a machine (no host has 10 000 cores). */
    public static final long MAX_CPU_MILLIS = 10_000_000L;
    /** 1 PiB: well past any host's memory or any sane disk, and far from overflow. */
    public static final long MAX_MEMORY_BYTES = 1L << 50;
    /** The longest duration whose nanoseconds still fit in a long (Docker's health check unit). */
    public static final long MAX_DURATION_MILLIS = Long.MAX_VALUE / 1_000_000L;

    static final String CPU_VALID = "valid: cores like \"2\", \"0.25\", or millicores like \"250m\"";
    static final String MEMORY_VALID =
            "valid: bytes like \"1048576\", binary units Ki, Mi, Gi, Ti like \"256Mi\", or decimal units K, M, G, T like \"1G\"";
    static final String DURATION_VALID = "valid: a number with a unit h, m, s or ms, like \"10s\", \"500ms\", \"1m30s\", \"1h\"";

    // Long inputs are never valid; refusing them first keeps BigDecimal from chewing on megabytes of digits.
    private static final int MAX_TEXT = 40;
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+");
    private static final Pattern MILLICORES = Pattern.compile("([0-9]+)m");
    private static final Pattern MEMORY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|[kKMGT])?");
    private static final Pattern DURATION =
            Pattern.compile("(?:([0-9]{1,12})h)?(?:([0-9]{1,12})m)?(?:([0-9]{1,12})s)?(?:([0-9]{1,12})ms)?");
    private static final String[] BINARY_UNITS = {"Ti", "Gi", "Mi", "Ki"};

    private Quantities() {
    }

    /** CPU in millicores: "2" → 2000, "0.25" → 250, "250m" → 250. Positive, whole millicores. */
    public static long parseCpu(String text) {
        String t = text.strip();
        if (t.length() > MAX_TEXT) {
            throw new IllegalArgumentException(quote(t) + " is not a CPU quantity (" + CPU_VALID + ")");
        }
        if (t.startsWith("-")) {
            throw new IllegalArgumentException(quote(t) + " is negative; CPU must be positive (" + CPU_VALID + ")");
        }
        BigDecimal millis;
        Matcher m = MILLICORES.matcher(t);
        if (m.matches()) {
            millis = new BigDecimal(m.group(1));
        } else if (DECIMAL.matcher(t).matches()) {
            millis = new BigDecimal(t).movePointRight(3);
        } else {
            throw new IllegalArgumentException(quote(t) + " is not a CPU quantity (" + CPU_VALID + ")");
        }
        if (millis.signum() == 0) {
            throw new IllegalArgumentException(quote(t) + " is zero; CPU must be positive (" + CPU_VALID + ")");
        }
        if (millis.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(quote(t) + " is finer than 1m, the smallest CPU unit (one thousandth of a core)");
        }
        if (millis.compareTo(BigDecimal.valueOf(MAX_CPU_MILLIS)) > 0) {
            throw new IllegalArgumentException(quote(t) + " is more than " + formatCpu(MAX_CPU_MILLIS) + " cores");
        }
        return millis.longValueExact();
    }

    /** Memory in bytes: "256Mi", "1G", "1.5Gi", "1048576". Positive, whole bytes, at most 1024Ti. */
    public static long parseMemory(String text) {
        String t = text.strip();
        if (t.length() > MAX_TEXT) {
            throw new IllegalArgumentException(quote(t) + " is not a memory quantity (" + MEMORY_VALID + ")");
        }
        if (t.startsWith("-")) {
            throw new IllegalArgumentException(quote(t) + " is negative; memory must be positive (" + MEMORY_VALID + ")");
        }
        Matcher m = MEMORY.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(quote(t) + " is not a memory quantity (" + memoryHint(t) + MEMORY_VALID + ")");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(new BigDecimal(unitBytes(m.group(2))));
        if (bytes.signum() == 0) {
            throw new IllegalArgumentException(quote(t) + " is zero; memory must be positive (" + MEMORY_VALID + ")");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(quote(t) + " is not a whole number of bytes");
        }
        if (bytes.compareTo(BigDecimal.valueOf(MAX_MEMORY_BYTES)) > 0) {
            throw new IllegalArgumentException(quote(t) + " is more than " + formatMemory(MAX_MEMORY_BYTES));
        }
        return bytes.longValueExact();
    }

    /** A duration in milliseconds: "10s", "500ms", "1m30s", "1h". Positive. */
    public static long parseDuration(String text) {
        String t = text.strip();
        Matcher m = DURATION.matcher(t);
        if (t.isEmpty() || t.length() > MAX_TEXT || !m.matches()) {
            String hint = t.matches("[0-9]+") ? "a unit is required; " : "";
            throw new IllegalArgumentException(quote(t) + " is not a duration (" + hint + DURATION_VALID + ")");
        }
        BigInteger millis = BigInteger.ZERO;
        long[] unit = {3_600_000L, 60_000L, 1_000L, 1L};
        for (int i = 0; i < unit.length; i++) {
            if (m.group(i + 1) != null) {
                millis = millis.add(new BigInteger(m.group(i + 1)).multiply(BigInteger.valueOf(unit[i])));
            }
        }
        if (millis.signum() == 0) {
            throw new IllegalArgumentException(quote(t) + " is zero; a duration must be positive (" + DURATION_VALID + ")");
        }
        if (millis.compareTo(BigInteger.valueOf(MAX_DURATION_MILLIS)) > 0) {
            throw new IllegalArgumentException(quote(t) + " is longer than " + formatDuration(MAX_DURATION_MILLIS));
        }
        return millis.longValueExact();
    }

    /** Whole cores as "2", anything else as millicores "1500m", "250m". */
    public static String formatCpu(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
    }

    /** The largest binary unit that divides exactly ("256Mi", "1Gi"), else plain bytes. */
    public static String formatMemory(long bytes) {
        if (bytes != 0) {
            for (int i = 0; i < BINARY_UNITS.length; i++) {
                long unit = 1L << (10 * (BINARY_UNITS.length - i));
                if (bytes % unit == 0) {
                    return bytes / unit + BINARY_UNITS[i];
                }
            }
        }
        return Long.toString(bytes);
    }

    /** Units from hours down to milliseconds, zero parts left out: "1h", "1m30s", "1s500ms"; 0 is "0s". */
    public static String formatDuration(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        long rest = millis;
        long[] unit = {3_600_000L, 60_000L, 1_000L, 1L};
        String[] name = {"h", "m", "s", "ms"};
        for (int i = 0; i < unit.length; i++) {
            if (rest >= unit[i]) {
                b.append(rest / unit[i]).append(name[i]);
                rest %= unit[i];
            }
        }
        return b.toString();
    }

    private static long unitBytes(String unit) {
        if (unit == null) {
            return 1;
        }
        return switch (unit) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "k", "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            default -> throw new IllegalStateException(unit);
        };
    }

    /** Suggestions for the usual slips: Kubernetes' milli-suffix and "MB"-style units. */
    private static String memoryHint(String t) {
        Matcher m = Pattern.compile("([0-9.]+)([a-zA-Z]+)").matcher(t);
        if (!m.matches()) {
            return "";
        }
        String n = m.group(1);
        String u = m.group(2);
        if (u.equals("m")) {
            return "\"m\" means thousandths; did you mean \"" + n + "Mi\"? ";
        }
        String letter = u.substring(0, 1).toUpperCase();
        if (u.length() <= 3 && u.toLowerCase().matches("[kmgt]i?b?")) {
            return "did you mean \"" + n + letter + "i\" or \"" + n + letter + "\"? ";
        }
        return "";
    }

    private static String quote(String t) {
        return Messages.quote(t);
    }
}
