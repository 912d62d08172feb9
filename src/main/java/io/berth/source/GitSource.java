package io.berth.source;

/**
 * The daemon's git source and its push webhook; {@link #NONE} when {@code berth.git.url} is unset.
 *
 * @param sync    the poller that makes commits the git source's desired state, or null
 * @param webhook the signed push webhook, or null when no secret is configured
 */
public record GitSource(GitSync sync, GitWebhook webhook) {

    public static final GitSource NONE = new GitSource(null, null);
}
