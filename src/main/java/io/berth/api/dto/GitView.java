package io.berth.api.dto;

import java.time.Instant;
import java.util.Map;

/**
 * The git source ({@code GET /api/v1/git}): JSON {@code {"source", "url", "branch", "path",
 * "interval", "webhook", "fetched", "applied", "error", "errorRevision", "errorAt"}} — where it
 * reads from (the URL never holds a password), the last revision fetched and the one in force, and
 * why the fetched head is not in force (null when it is). In a reconcile run, {@code error} is that
 * run's fetch's. Immutable.
 */
public record GitView(String source, String url, String branch, String path, String interval, boolean webhook,
                      RevisionView fetched, RevisionView applied, String error, String errorRevision, Instant errorAt) {

    /** The git source's own status tree ({@code GitSync.status()}) as this record. */
    public static GitView of(Map<String, Object> status) {
        return Json.MAPPER.convertValue(status, GitView.class);
    }

    public GitView withError(String why) {
        return new GitView(source, url, branch, path, interval, webhook, fetched, applied, why, errorRevision, errorAt);
    }
}
