package io.berth.source;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a signed webhook is about the repository this agent follows: a push of another
 * repository (one secret shared by several repositories' hooks, a hook copied to the wrong
 * project) must not cost a fetch. The payload's names — GitHub and Gitea {@code repository.full_name},
 * {@code clone_url}, {@code ssh_url}, {@code git_url}, {@code html_url}; GitLab
 * {@code project.path_with_namespace}, {@code git_http_url}, {@code git_ssh_url}, {@code web_url}
 * — are compared with {@code berth.git.url} with scheme, user, port, a trailing {@code .git} and
 * slashes left out, and case-insensitively ({@code git@host:org/repo.git},
 * {@code ssh://git@host:22/org/repo} and {@code https://host/org/repo} are one repository); a
 * {@code full_name} matches when the URL's path ends with it. A payload that names no repository
 * at all (a hand-made {@code {"ref": ...}}) is taken as this one's. Immutable, thread-safe.
 */
final class PushTarget {

    private static final String[] URL_FIELDS = {"clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url",
            "git_ssh_url", "web_url", "http_url", "homepage"};
    private static final String[] NAME_FIELDS = {"full_name", "path_with_namespace"};

    private final String url; // normalised; null: every repository is this one

    PushTarget(String url) {
        this.url = url == null || url.isBlank() ? null : normalise(url);
    }

    /** Null when the payload is about this repository (or names none); otherwise the repository it names. */
    String otherRepository(JsonNode payload) {
        if (url == null || payload == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode repo : List.of(payload.path("repository"), payload.path("project"))) {
            for (String f : URL_FIELDS) {
                String v = text(repo.path(f));
                if (v != null) {
                    if (normalise(v).equals(url)) {
                        return null;
                    }
                    names.add(v);
                }
            }
            for (String f : NAME_FIELDS) {
                String v = text(repo.path(f));
                if (v != null) {
                    String n = v.toLowerCase(Locale.ROOT).replaceAll("^/+|/+$", "");
                    if (url.endsWith("/" + n)) {
                        return null;
                    }
                    names.add(v);
                }
            }
        }
        return names.isEmpty() ? null : names.getFirst();
    }

    /** host/path in lower case: no scheme, user, port, ".git" or surrounding slashes. */
    static String normalise(String u) {
        String s = u.strip().toLowerCase(Locale.ROOT);
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        } else if (s.matches("[^/]*@?[^/:]+:.*")) {
            s = s.replaceFirst(":", "/"); // scp-like git@host:org/repo
        }
        int at = s.indexOf('@');
        int slash = s.indexOf('/');
        if (at >= 0 && (slash < 0 || at < slash)) {
            s = s.substring(at + 1);
        }
        s = s.replaceFirst("^([^/:]+):\\d+(/|$)", "$1$2"); // a port
        s = s.replaceAll("/+$", "");
        if (s.endsWith(".git")) {
            s = s.substring(0, s.length() - 4);
        }
        return s.replaceAll("/+$", "");
    }

    private static String text(JsonNode n) {
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }
}
