package io.berth.manifest;

import java.util.Collection;
import java.util.Locale;

/** Small helpers that keep the wording of user-facing messages uniform. Pure. */
final class Messages {

    private static final int MAX_QUOTED = 80;

    private Messages() {
    }

    /**
     * The text in double quotes, with quotes, backslashes and control characters escaped and long
     * text cut, so a message stays one readable line whatever the user wrote.
     */
    static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        int limit = Math.min(text.length(), MAX_QUOTED);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (text.length() > limit) {
            b.append("...");
        }
        return b.append('"').toString();
    }

    /** "a, b, c" */
    static String list(Collection<String> items) {
        return String.join(", ", items);
    }

    /**
     * The candidate closest to {@code word} within edit distance 2 (ignoring case), or null. A
     * candidate must also be closer than the word is long, so "a" does not suggest "args".
     */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            int d = distance(w, candidate.toLowerCase(Locale.ROOT), 3);
            if (d <= 2 && d < word.length() && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** "(did you mean "x"? valid: a, b)" or "(valid: a, b)". */
    static String validHint(String word, Collection<String> valid) {
        String guess = word == null ? null : closest(word, valid);
        return guess == null || guess.equals(word)
                ? "(valid: " + list(valid) + ")"
                : "(did you mean " + quote(guess) + "? valid: " + list(valid) + ")";
    }

    /** Levenshtein distance, giving up (returning {@code cap}) once it must exceed cap - 1. */
    static int distance(String a, String b, int cap) {
        if (Math.abs(a.length() - b.length()) >= cap || a.length() > 200 || b.length() > 200) {
            return cap;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin >= cap) {
                return cap;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(prev[b.length()], cap);
    }
}
