package io.berth.runtime.docker;

import java.util.ArrayList;
import java.util.List;

/**
 * Which Engine API version Berth speaks to an engine, from what the engine's unversioned
 * {@code GET /version} says ({@code ApiVersion}, its newest; {@code MinAPIVersion}, its oldest). Pure.
 *
 * <p>Berth speaks the engine's newest version capped at {@link #NEWEST}, the newest whose answers
 * Berth was checked against (the fixture matrix in {@code DockerApiMatrixTest}), and never below
 * the engine's minimum: Docker 29 refuses anything under 1.44 ("client version 1.41 is too old"),
 * and unversioned paths, which mean "the engine's newest", are deprecated by Docker and would hand
 * Berth answers of API versions nobody checked.
 */
final class ApiVersions {

    /** Debian 12's Docker 20.10, and what Podman 4's Docker-compatible API says it is. */
    static final String OLDEST = "1.41";
    /** Docker 29. */
    static final String NEWEST = "1.52";

    /**
     * @param version  the version to put in every request path ({@code /v1.52/...})
     * @param warnings why this engine is outside what Berth was checked against, if it is
     */
    record Choice(String version, List<String> warnings) {
    }

    private ApiVersions() {
    }

    static Choice choose(String engineNewest, String engineOldest) {
        List<String> warnings = new ArrayList<>();
        if (!valid(engineNewest)) {
            // An engine that does not say: speak the newest Berth knows (an engine older than
            // that refuses with a clear message naming both versions).
            warnings.add("the engine did not say its API version; speaking " + NEWEST);
            return new Choice(NEWEST, warnings);
        }
        String v = compare(engineNewest, NEWEST) > 0 ? NEWEST : engineNewest;
        if (valid(engineOldest) && compare(v, engineOldest) < 0) {
            v = engineOldest;
            warnings.add("the engine accepts API " + engineOldest + " and newer only, newer than Berth was checked against ("
                    + NEWEST + "); speaking " + v);
        }
        if (compare(v, OLDEST) < 0) {
            warnings.add("the engine's API " + v + " is older than Berth supports (" + OLDEST + " and newer)");
        }
        return new Choice(v, List.copyOf(warnings));
    }

    /** Orders "1.9" before "1.41" (numerically, part by part). */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? Integer.parseInt(x[i]) : 0;
            int q = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    static boolean valid(String v) {
        return v != null && v.matches("\\d+\\.\\d+");
    }
}
