package io.berth.source.git;

import java.time.Instant;

/**
 * One commit of the followed branch.
 *
 * @param commit      the full object id
 * @param message     the first line of the commit message
 * @param committedAt the committer's time
 */
public record Revision(String commit, String message, String author, Instant committedAt) {

    /** The first 12 hex digits, as people quote commits. */
    public String shortCommit() {
        return abbreviate(commit);
    }

    /** A commit id's first 12 hex digits (the whole of a shorter string). */
    public static String abbreviate(String commit) {
        return commit.substring(0, Math.min(12, commit.length()));
    }
}
