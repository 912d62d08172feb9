package io.berth.source;

import io.berth.api.Token;

import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GitWebhookTest {

    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    final GitWebhook hook = new GitWebhook("s3cret".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5),
            Clock.fixed(NOW, ZoneOffset.UTC), "main");

    static final String PUSH = """
            {"ref":"refs/heads/main","after":"1a2b","repository":{"full_name":"ops/fleet","pushed_at":%d}}""";

    /** HMAC-SHA256 computed independently of the class under test (as a git host would). */
    static String sign(String secret, String body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    static Map<String, String> headers(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    GitWebhook.Verdict send(Map<String, String> headers, String body) {
        return hook.check(headers, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aGitHubPushSignedWithTheSecretIsAccepted() throws Exception {
        String body = PUSH.formatted(NOW.getEpochSecond() - 3);
        GitWebhook.Verdict v = send(headers("x-hub-signature-256", sign("s3cret", body), "x-github-delivery", "d-1",
                "x-github-event", "push"), body);
        assertThat(v.fetch()).isTrue();
        assertThat(v.status()).isEqualTo(202);
        assertThat(v.delivery()).isEqualTo("d-1");
    }

    @Test
    void theGenericHeaderIsAcceptedToo() throws Exception {
        String body = "{\"ref\":\"refs/heads/main\"}";
        assertThat(send(headers("x-signature", sign("s3cret", body)), body).fetch()).isTrue();
    }

    @Test
    void aWrongSecretAChangedBodyAndAMissingSignatureAre401() throws Exception {
        String body = PUSH.formatted(NOW.getEpochSecond());
        GitWebhook.Verdict wrong = send(headers("x-hub-signature-256", sign("other", body)), body);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.fetch()).isFalse();
        assertThat(wrong.message()).contains("does not match");

        GitWebhook.Verdict changed = send(headers("x-hub-signature-256", sign("s3cret", body)), body.replace("1a2b", "9999"));
        assertThat(changed.status()).isEqualTo(401);

        GitWebhook.Verdict missing = send(headers("x-github-event", "push"), body);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.message()).contains("missing signature");

        assertThat(send(headers("x-hub-signature-256", "sha1=abcd"), body).status()).isEqualTo(401);
        assertThat(send(headers("x-hub-signature-256", "sha256=zz"), body).message()).contains("not hex");
    }

    @Test
    void aReplayedDeliveryIsRefusedButAnUnsignedOneCannotSpendItsId() throws Exception {
        String body = PUSH.formatted(NOW.getEpochSecond());
        // An unsigned request naming d-7 first: refused, and it must not make the real d-7 look like a replay.
        assertThat(send(headers("x-github-delivery", "d-7"), body).status()).isEqualTo(401);
        Map<String, String> signed = headers("x-hub-signature-256", sign("s3cret", body), "x-github-delivery", "d-7");
        assertThat(send(signed, body).fetch()).isTrue();
        GitWebhook.Verdict again = send(signed, body);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.fetch()).isFalse();
        assertThat(again.message()).contains("delivery d-7 was already received");
    }

    @Test
    void aPayloadSentLongAgoOrFromTheFutureIsRefused() throws Exception {
        String old = PUSH.formatted(NOW.minus(Duration.ofMinutes(6)).getEpochSecond());
        GitWebhook.Verdict stale = send(headers("x-hub-signature-256", sign("s3cret", old)), old);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.message()).contains("refused as a replay");

        String future = "{\"ref\":\"refs/heads/main\",\"timestamp\":\"" + NOW.plus(Duration.ofMinutes(10)) + "\"}";
        assertThat(send(headers("x-signature", sign("s3cret", future)), future).status()).isEqualTo(409);

        String recent = "{\"ref\":\"refs/heads/main\",\"timestamp\":" + (NOW.getEpochSecond() - 60) + "}";
        assertThat(send(headers("x-signature", sign("s3cret", recent)), recent).fetch()).isTrue();
    }

    @Test
    void aPingIsAnsweredAndAPushToAnotherBranchIgnored() throws Exception {
        String ping = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}";
        GitWebhook.Verdict pong = send(headers("x-hub-signature-256", sign("s3cret", ping), "x-github-event", "ping"), ping);
        assertThat(pong.status()).isEqualTo(200);
        assertThat(pong.fetch()).isFalse();

        String other = "{\"ref\":\"refs/heads/feature\"}";
        GitWebhook.Verdict ignored = send(headers("x-hub-signature-256", sign("s3cret", other)), other);
        assertThat(ignored.fetch()).isFalse();
        assertThat(ignored.status()).isEqualTo(202);
        assertThat(ignored.message()).contains("refs/heads/feature").contains("refs/heads/main");
    }

    @Test
    void aFormEncodedGitHubPayloadIsSignedOverTheRawBodyAndReadForItsBranch() throws Exception {
        String json = "{\"ref\":\"refs/heads/feature\"}";
        String body = "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        GitWebhook.Verdict v = send(headers("x-hub-signature-256", sign("s3cret", body),
                "content-type", "application/x-www-form-urlencoded"), body);
        assertThat(v.fetch()).isFalse();
        assertThat(v.message()).contains("refs/heads/feature");
    }

    @Test
    void gitLabsTokenMustEqualTheSecret() {
        String body = "{\"ref\":\"refs/heads/main\",\"object_kind\":\"push\"}";
        assertThat(send(headers("x-gitlab-token", "s3cret", "x-gitlab-event", "Push Hook"), body).fetch()).isTrue();
        GitWebhook.Verdict wrong = send(headers("x-gitlab-token", "guess"), body);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.message()).contains("X-Gitlab-Token");
    }

    final GitWebhook following = new GitWebhook("s3cret".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5),
            Clock.fixed(NOW, ZoneOffset.UTC), "main", "https://x-access-token@git.example.com/ops/fleet.git");

    GitWebhook.Verdict sendTo(GitWebhook h, String event, String body) throws Exception {
        return h.check(headers("x-hub-signature-256", sign("s3cret", body), "x-github-event", event,
                "x-github-delivery", java.util.UUID.randomUUID().toString()), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEventThatIsNotAPushIsAnsweredWithoutAFetch() throws Exception {
        String body = PUSH.formatted(NOW.getEpochSecond());
        for (String event : new String[] {"pull_request", "issues", "create", "Tag Push Hook"}) {
            GitWebhook.Verdict v = sendTo(following, event, body);
            assertThat(v.fetch()).as(event).isFalse();
            assertThat(v.status()).isEqualTo(202);
            assertThat(v.message()).startsWith("ignored: a " + event + " event");
        }
        assertThat(sendTo(following, "ping", body).status()).isEqualTo(200);
        assertThat(sendTo(following, "Push Hook", body).fetch()).as("GitLab's push").isTrue();
    }

    @Test
    void aPushOfAnotherRepositoryIsIgnoredAndThisOneIsRecognisedByAnyOfItsNames() throws Exception {
        String other = """
                {"ref":"refs/heads/main","repository":{"full_name":"ops/other",
                 "clone_url":"https://git.example.com/ops/other.git"}}""";
        GitWebhook.Verdict v = sendTo(following, "push", other);
        assertThat(v.fetch()).isFalse();
        assertThat(v.status()).isEqualTo(202);
        assertThat(v.message()).contains("another repository", "git.example.com/ops/other");

        for (String repo : new String[] {
                "{\"full_name\":\"ops/fleet\"}",
                "{\"full_name\":\"OPS/Fleet\"}",
                "{\"clone_url\":\"https://git.example.com/ops/fleet.git\"}",
                "{\"ssh_url\":\"git@git.example.com:ops/fleet.git\"}",
                "{\"git_ssh_url\":\"ssh://git@git.example.com:2222/ops/fleet.git\"}"}) {
            String body = "{\"ref\":\"refs/heads/main\",\"repository\":" + repo + "}";
            assertThat(sendTo(following, "push", body).fetch()).as(repo).isTrue();
        }
        String gitlab = "{\"ref\":\"refs/heads/main\",\"project\":{\"path_with_namespace\":\"ops/fleet\"}}";
        assertThat(sendTo(following, "Push Hook", gitlab).fetch()).isTrue();
        String gitlabOther = "{\"ref\":\"refs/heads/main\",\"project\":{\"path_with_namespace\":\"ops/fleet-2\"}}";
        assertThat(sendTo(following, "Push Hook", gitlabOther).fetch()).isFalse();
        assertThat(sendTo(following, "push", "{\"ref\":\"refs/heads/main\"}").fetch())
                .as("a payload naming no repository").isTrue();
    }
}
