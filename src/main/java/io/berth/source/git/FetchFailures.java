package io.berth.source.git;

import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.URIish;

import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a failed fetch into the one line an operator reads. JGit wraps the transport's reason two
 * or three deep, prefixes it with the URL (which the caller's message already names) and words
 * the common mistakes for a developer ("Remote does not have refs/heads/x available for fetch.");
 * the mistakes an operator makes get their own words and the setting to check, anything else
 * the innermost reason.
 */
final class FetchFailures {

    private FetchFailures() {
    }

    static String reason(Throwable e, GitFetcher.Settings s) {
        if (has(e, NoRemoteRepositoryException.class)) {
            return GitCredentials.scheme(s.url()) == GitCredentials.Scheme.HTTP
                    ? "no git repository there, or none this token may read (check berth.git.url and berth.git.token-file)"
                    : "no git repository there (check berth.git.url)";
        }
        String noBranch = MessageFormat.format(JGitText.get().remoteDoesNotHaveSpec, Constants.R_HEADS + s.branch());
        if (hasMessage(e, noBranch)) {
            return "the repository has no branch \"" + s.branch() + "\" (check berth.git.branch)";
        }
        Optional<UnknownHostException> unknownHost = find(e, UnknownHostException.class);
        if (unknownHost.isPresent()) {
            return "unknown host " + unknownHost.get().getMessage() + " (check berth.git.url and the host's DNS)";
        }
        return scrub(innermost(e), s.url());
    }

    /** The innermost message, without JGit's "url: " prefix. */
    private static String innermost(Throwable e) {
        String msg = null;
        for (Throwable t : chain(e)) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                msg = t.getMessage().strip();
                if (t instanceof TransportException) {
                    // "ssh://host/x.git: Connection refused" -> "Connection refused"
                    msg = withoutUriPrefix(msg);
                }
            }
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }

    private static String withoutUriPrefix(String msg) {
        int colon = msg.indexOf(": ");
        if (colon > 0) {
            try {
                URIish u = new URIish(msg.substring(0, colon));
                if (u.isRemote() || u.getScheme() != null) {
                    return msg.substring(colon + 2);
                }
            } catch (URISyntaxException e) {
                // not a URI: keep the message as it is
            }
        }
        return msg;
    }

    /** A password in the URL stays out of messages, whatever a library put into them. */
    static String scrub(String msg, String url) {
        try {
            URIish u = new URIish(url);
            String out = msg;
            if (u.getPass() != null && !u.getPass().isEmpty()) {
                out = out.replace(u.getPass(), "***");
            }
            // A token pasted as the user of an https URL (https://TOKEN@host/...); short names are kept readable.
            boolean http = u.getScheme() != null && u.getScheme().toLowerCase(java.util.Locale.ROOT).startsWith("http");
            if (http && u.getUser() != null && u.getUser().length() >= 8) {
                out = out.replace(u.getUser(), "***");
            }
            return out;
        } catch (URISyntaxException e) {
            return msg;
        }
    }

    static List<Throwable> chain(Throwable e) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }

    static boolean has(Throwable e, Class<? extends Throwable> type) {
        return find(e, type).isPresent();
    }

    static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
        return chain(e).stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Whether a message in the chain is {@code text}, or ends with ": " + it (JGit's URL prefix). */
    static boolean hasMessage(Throwable e, String text) {
        return chain(e).stream().map(Throwable::getMessage)
                .anyMatch(m -> m != null && (m.equals(text) || m.endsWith(": " + text)));
    }

    static boolean hasMessageEndingWith(Throwable e, String suffix) {
        return chain(e).stream().map(Throwable::getMessage).anyMatch(m -> m != null && m.endsWith(suffix));
    }

    static boolean hasMessageContaining(Throwable e, String text) {
        return chain(e).stream().map(Throwable::getMessage).anyMatch(m -> m != null && m.contains(text));
    }
}
