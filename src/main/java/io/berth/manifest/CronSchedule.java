package io.berth.manifest;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;

/**
 * When scheduled snapshots are due: a cron expression of five fields (minute, hour, day of month,
 * month, day of week; {@code *}, numbers, ranges {@code a-b}, steps {@code * /n} and {@code a-b/n},
 * lists with commas; day of week 0-7 with 0 and 7 Sunday, or {@code sun}..{@code sat}; month
 * {@code jan}..{@code dec}) or one of {@code @hourly}, {@code @daily}, {@code @weekly},
 * {@code @monthly}, {@code @yearly}, read in UTC. As in cron, when both day fields are restricted a day matching
 * either is due. Immutable.
 */
public final class CronSchedule {

    public static final String VALID = "valid: five cron fields like \"0 3 * * *\" (minute hour day-of-month month"
            + " day-of-week, UTC) or @hourly, @daily, @weekly, @monthly, @yearly";

    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    private static final String[] DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final BitSet months;
    private final BitSet weekdays;
    private final boolean anyDay;
    private final boolean anyWeekday;

    private CronSchedule(String text, String[] f) {
        this.text = text;
        minutes = field(f[0], 0, 59, null, "minute");
        hours = field(f[1], 0, 23, null, "hour");
        days = field(f[2], 1, 31, null, "day of month");
        months = field(f[3], 1, 12, MONTHS, "month");
        BitSet w = field(f[4], 0, 7, DAYS, "day of week");
        if (w.get(7)) {
            w.set(0);
            w.clear(7);
        }
        weekdays = w;
        anyDay = f[2].equals("*");
        anyWeekday = f[4].equals("*");
    }

    /** The schedule {@code text} stands for; an {@link IllegalArgumentException} saying what is wrong and what is valid. */
    public static CronSchedule parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        String expanded = switch (t) {
            case "@hourly" -> "0 * * * *";
            case "@daily", "@midnight" -> "0 0 * * *";
            case "@weekly" -> "0 0 * * 0";
            case "@monthly" -> "0 0 1 * *";
            case "@yearly", "@annually" -> "0 0 1 1 *";
            default -> t;
        };
        if (expanded.startsWith("@")) {
            throw new IllegalArgumentException(Messages.quote(text) + " is not a schedule Berth knows (" + VALID + ")");
        }
        String[] f = expanded.split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException(Messages.quote(text) + " has " + f.length + " field" + (f.length == 1 ? "" : "s")
                    + ", not 5 (" + VALID + ")");
        }
        CronSchedule s;
        try {
            s = new CronSchedule(text.strip(), f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(Messages.quote(text) + ": " + e.getMessage(), e);
        }
        try {
            s.next(Instant.parse("2000-01-01T00:00:00Z"));
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(Messages.quote(text) + " is never due (no such day) (" + VALID + ")");
        }
        return s;
    }

    /** The first due minute strictly after {@code after}. */
    public Instant next(Instant after) {
        ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = t.plusYears(5); // Feb 29 comes back within 4 years; nothing else takes longer
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.plusMonths(1).withDayOfMonth(1).withHour(0).withMinute(0);
            } else if (!dayMatches(t)) {
                t = t.plusDays(1).withHour(0).withMinute(0);
            } else if (!hours.get(t.getHour())) {
                t = t.plusHours(1).withMinute(0);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t.toInstant();
            }
        }
        throw new IllegalStateException(text + " is never due"); // e.g. "0 0 31 2 *": refused by parse
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean day = days.get(t.getDayOfMonth());
        boolean weekday = weekdays.get(t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (anyDay && anyWeekday) {
            return true;
        }
        if (anyDay) {
            return weekday;
        }
        if (anyWeekday) {
            return day;
        }
        return day || weekday;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static BitSet field(String f, int min, int max, String[] names, String what) {
        BitSet set = new BitSet(max + 1);
        for (String part : f.split(",", -1)) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), 1, max - min + 1, null, what + " step");
            }
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = min;
                hi = max;
            } else if (range.contains("-")) {
                String[] ab = range.split("-", 2);
                lo = number(ab[0], min, max, names, what);
                hi = number(ab[1], min, max, names, what);
                if (hi < lo) {
                    throw new IllegalArgumentException("the " + what + " range " + range + " goes backwards (" + VALID + ")");
                }
            } else {
                lo = number(range, min, max, names, what);
                hi = slash >= 0 ? max : lo;
            }
            for (int v = lo; v <= hi; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int number(String s, int min, int max, String[] names, String what) {
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(s)) {
                    return names == MONTHS ? i + 1 : i;
                }
            }
        }
        try {
            int v = Integer.parseInt(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("the " + what + " " + Messages.quote(s) + " is not a number from " + min
                + " to " + max + (names == null ? "" : " or a name like " + names[0]) + " (" + VALID + ")");
    }
}
