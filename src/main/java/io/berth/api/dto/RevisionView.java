package io.berth.api.dto;

import java.time.Instant;

/**
 * A git revision and when Berth fetched or applied it: JSON {@code {"commit", "message", "author",
 * "committedAt", "at"}}.
 */
public record RevisionView(String commit, String message, String author, Instant committedAt, Instant at) {

    /** The commit as the CLI prints it (its first 12 characters). */
    public String shortCommit() {
        return io.berth.source.git.Revision.abbreviate(String.valueOf(commit));
    }
}
