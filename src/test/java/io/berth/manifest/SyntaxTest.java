package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntaxTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "fe80::1", "2001:db8::8a2e:370:7334",
            "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "2001:DB8::1"})
    void acceptsIpLiterals(String ip) {
        assertThat(Syntax.ipLiteral(ip)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "01.2.3.4", "256.1.1.1", "1.2.3.4.5", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::1",
            "[::1]", "fe80::1%eth0", "localhost", "1:2:3:4:5:6:7", ":1", "1:", "12345::", "::1.2.3", "1.2.3.4::", "g::1"})
    void rejectsOtherAddresses(String ip) {
        assertThat(Syntax.ipLiteral(ip)).isNotNull().contains("is not an IP address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx", "nginx:1.27", "library/nginx", "docker.io/library/nginx:latest", "localhost:5000/a/b",
            "registry.example.com:5000/team/web:1.27", "a/b__c/d--e.f_g", "nginx:1.27-alpine_3.19",
            "ghcr.io/acme/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Registry.Example.com/x"})
    void acceptsImageReferences(String ref) {
        assertThat(Syntax.imageReference(ref)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Nginx", "nginx:", ":1.27", "nginx:-bad", "nginx:.bad", "a//b", "/nginx", "nginx/", "nginx:1:2",
            "nginx@sha256:ABC", "nginx@md5:0123", "ngi nx", "nginx_", "-nginx", "my-registry-:5000/x", "a/B"})
    void rejectsBadImageReferences(String ref) {
        assertThat(Syntax.imageReference(ref)).isNotNull().startsWith("image \"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tier", "app.kubernetes.io/name", "example.com/team", "A_b.c-D", "x"})
    void acceptsLabelKeys(String key) {
        assertThat(Syntax.labelKey(key)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-tier", "tier-", "with space", "Example.com/x", "/x", "a/", "a/b/c", "io.berth.managed",
            "berth.io/anything", "x.berth.io/y"})
    void rejectsLabelKeys(String key) {
        assertThat(Syntax.labelKey(key)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "frontend", "<x a=\"1\">&amp; ]]> 'q'", "caf\u00e9", "with spaces"})
    void acceptsLabelValues(String value) {
        assertThat(Syntax.labelValue(value)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "tab\t", "bell\u0007", "c1\u0085"})
    void rejectsControlCharactersInLabelValues(String value) {
        assertThat(Syntax.labelValue(value)).contains("control or non-character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\uffffb", "a\ufffeb", "a\ud800b", "\udc00", "a\ufdd0"})
    void rejectsTextXmlCannotCarry(String value) {
        assertThat(Syntax.labelValue(value)).contains("non-character");
        assertThat(Syntax.kernelCmdline(value)).contains("non-character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"console=ttyS0 panic=-1", "ro quiet \u00e9t\u00e9 \ud83d\ude80 <&>\"'"})
    void acceptsPrintableKernelCommandLines(String value) {
        assertThat(Syntax.kernelCmdline(value)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000", "1000:1000", "nginx", "_apt", "www-data", "0", "0:0"})
    void acceptsUsers(String user) {
        assertThat(Syntax.user(user)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Root", "1000:", ":1000", "a:b", "4294967295", "1-2", "user name"})
    void rejectsUsers(String user) {
        assertThat(Syntax.user(user)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "web", "web-1", "0abc"})
    void acceptsNames(String name) {
        assertThat(Syntax.workloadName(name)).isNull();
        assertThat(Syntax.workloadName("a".repeat(63))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Web", "-web", "web-", "web_1", "web.1", "wéb"})
    void rejectsNames(String name) {
        assertThat(Syntax.workloadName(name)).isNotNull();
        assertThat(Syntax.workloadName("a".repeat(64))).contains("64 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-a", "node-a.example.com", "NODE1", "a"})
    void acceptsHostNames(String host) {
        assertThat(Syntax.hostname(host)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "node_a", "-node", "node.", ".node", "a..b", "node a"})
    void rejectsHostNames(String host) {
        assertThat(Syntax.hostname(host)).isNotNull();
    }
}
