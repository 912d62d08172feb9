package io.berth.source;



import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a push webhook before anything is fetched. In order:
 * <ol>
 * <li>Signature: HMAC-SHA256 of the raw body with the shared secret, hex, in
 *     {@code X-Hub-Signature-256: sha256=…} (GitHub, Gitea, Forgejo, Gogs) or {@code X-Signature:
 *     sha256=…} (anything else: {@code openssl dgst -sha256 -hmac}); compared in constant time.
 *     GitLab signs nothing: it sends the secret itself as {@code X-Gitlab-Token}, accepted when it
 *     equals the secret (constant time) — use it over TLS only. Missing or wrong → 401.</li>
 * <li>Replay: a delivery id ({@code X-GitHub-Delivery}, {@code X-Gitea-Delivery},
 *     {@code X-Gitlab-Event-UUID}, {@code X-Delivery-Id}) seen before → 409; a payload whose own
 *     signed time ({@code repository.pushed_at} of a GitHub push, or a top-level
 *     {@code timestamp}) is further than the max age from now → 409. Only signed requests are
 *     remembered, so unsigned junk cannot flush the memory of real deliveries.</li>
 * <li>Relevance: a ping is answered 200; an event that is not a push ({@code X-GitHub-Event},
 *     {@code X-Gitea-Event}, {@code X-Gitlab-Event} naming another kind), a push to another branch,
 *     or one of another repository ({@link PushTarget}) is answered 202 and ignored: no fetch.</li>
 * </ol>
 * Thread-safe.
 */
public final class GitWebhook {

    /** What to answer. {@code fetch} true: go fetch; otherwise {@code status} and {@code message} say why not. */
    public record Verdict(int status, boolean fetch, String message, String delivery) {
        public static Verdict reject(int status, String message) {
            return new Verdict(status, false, message, null);
        }
    }

    static final int REMEMBERED = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DELIVERY_HEADERS = {"x-github-delivery", "x-gitea-delivery", "x-gitlab-event-uuid",
            "x-delivery-id"};
    private static final String[] EVENT_HEADERS = {"x-github-event", "x-gitea-event", "x-gitlab-event"};

    private final byte[] secret;
    private final Duration maxAge;
    private final Clock clock;
    private final String branch;
    private final PushTarget target;
    /** Delivery ids already accepted, oldest first, bounded. */
    private final Map<String, Instant> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > REMEMBERED;
        }
    };

    public GitWebhook(byte[] secret, Duration maxAge, Clock clock, String branch) {
        this(secret, maxAge, clock, branch, null);
    }

    /** @param url {@code berth.git.url}: pushes that name another repository are ignored (null: none are) */
    public GitWebhook(byte[] secret, Duration maxAge, Clock clock, String branch, String url) {
        this.target = new PushTarget(url);
        if (secret.length == 0) {
            throw new IllegalArgumentException("the webhook secret is empty");
        }
        this.secret = secret.clone();
        this.maxAge = maxAge;
        this.clock = clock;
        this.branch = branch;
    }

    /** @param headers the request's headers, names in lower case */
    public Verdict check(Map<String, String> headers, byte[] body) {
        String problem = signatureProblem(headers, body);
        if (problem != null) {
            return Verdict.reject(401, problem);
        }
        JsonNode payload = payload(headers, body);
        String delivery = first(headers, DELIVERY_HEADERS);
        Instant sent = sentAt(payload);
        Instant now = clock.instant();
        if (sent != null && Duration.between(sent, now).abs().compareTo(maxAge) > 0) {
            return Verdict.reject(409, "payload sent at " + sent + ", more than " + maxAge.toSeconds()
                    + " s from now: refused as a replay (trigger a reconcile with `agent reconcile` instead)");
        }
        synchronized (seen) {
            if (delivery != null && seen.containsKey(delivery)) {
                return Verdict.reject(409, "delivery " + delivery + " was already received at " + seen.get(delivery)
                        + ": refused as a replay");
            }
            if (delivery != null) {
                seen.put(delivery, now);
            }
        }
        String event = first(headers, EVENT_HEADERS);
        if (event != null && event.toLowerCase(Locale.ROOT).equals("ping")) {
            return new Verdict(200, false, "pong: the signature is right; pushes to " + branch + " will be fetched", delivery);
        }
        if (event != null && !isPush(event)) {
            return new Verdict(202, false, "ignored: a " + event.strip() + " event; only pushes are fetched", delivery);
        }
        String other = target.otherRepository(payload);
        if (other != null) {
            return new Verdict(202, false, "ignored: a push to another repository (" + other + ")", delivery);
        }
        String ref = payload == null ? null : text(payload.path("ref"));
        if (ref != null && ref.startsWith("refs/") && !ref.equals("refs/heads/" + branch)) {
            return new Verdict(202, false, "ignored: a push to " + ref + "; this agent follows refs/heads/" + branch, delivery);
        }
        return new Verdict(202, true, "accepted: fetching " + branch, delivery);
    }

    /** Null when the request is signed with the secret; otherwise what is wrong. */
    private String signatureProblem(Map<String, String> headers, byte[] body) {
        String signature = headers.get("x-hub-signature-256");
        String header = "X-Hub-Signature-256";
        if (signature == null) {
            signature = headers.get("x-signature");
            header = "X-Signature";
        }
        if (signature == null) {
            String token = headers.get("x-gitlab-token");
            if (token != null) {
                return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), secret) ? null
                        : "X-Gitlab-Token does not match the webhook secret";
            }
            return "missing signature: send X-Hub-Signature-256 or X-Signature: sha256=<hex HMAC-SHA256 of the body "
                    + "with the webhook secret>";
        }
        String s = signature.strip();
        if (!s.regionMatches(true, 0, "sha256=", 0, 7)) {
            return header + " must read sha256=<hex HMAC-SHA256 of the body>";
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(s.substring(7).toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return header + " is not hex";
        }
        return MessageDigest.isEqual(hmac(body), given) ? null
                : header + " does not match the body: wrong secret, or the body was changed on the way";
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** The JSON payload, also when sent as a form ({@code payload=…}, GitHub's other content type); null if neither. */
    private static JsonNode payload(Map<String, String> headers, byte[] body) {
        String type = headers.getOrDefault("content-type", "");
        try {
            String text = new String(body, StandardCharsets.UTF_8);
            if (type.startsWith("application/x-www-form-urlencoded")) {
                for (String pair : text.split("&")) {
                    if (pair.startsWith("payload=")) {
                        return JSON.readTree(URLDecoder.decode(pair.substring(8), StandardCharsets.UTF_8));
                    }
                }
                return null;
            }
            return body.length == 0 ? null : JSON.readTree(text);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** When the (signed) payload says it was sent: GitHub's {@code repository.pushed_at}, or {@code timestamp}. */
    private static Instant sentAt(JsonNode payload) {
        if (payload == null) {
            return null;
        }
        JsonNode pushed = payload.path("repository").path("pushed_at");
        if (pushed.isNumber()) {
            return Instant.ofEpochSecond(pushed.asLong());
        }
        JsonNode ts = payload.path("timestamp");
        if (ts.isNumber()) {
            return Instant.ofEpochSecond(ts.asLong());
        }
        if (ts.isTextual()) {
            try {
                return Instant.parse(ts.asText());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** GitHub and Gitea say "push", GitLab "Push Hook" (a tag push is "Tag Push Hook": not a branch). */
    private static boolean isPush(String event) {
        String e = event.strip().toLowerCase(Locale.ROOT);
        return e.equals("push") || e.equals("push hook");
    }

    private static String first(Map<String, String> headers, String[] names) {
        for (String n : names) {
            String v = headers.get(n);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }
}
