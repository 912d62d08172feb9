package io.berth.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.manifest.ManifestLoader;
import io.berth.manifest.NetworkManifest;
import io.berth.manifest.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ComposeConverter} on a realistic Compose file (src/test/resources/compose/shop.yml) and on
 * small ones for each form Compose allows: the exact manifests, every key not carried with its
 * line, the warnings, and Berth's own loader accepting what it made.
 */
class ComposeConverterTest {

    static final Path SHOP = Path.of("src/test/resources/compose/shop.yml");

    static ComposeConverter.Conversion shop() throws Exception {
        return ComposeConverter.convert(SHOP, Files.readString(SHOP), null);
    }

    static ComposeConverter.Conversion convert(String compose) {
        return ComposeConverter.convert(Path.of("compose.yml"), compose, "demo");
    }

    static List<String> findings(ComposeConverter.Conversion c) {
        return c.findings().stream().map(Finding::toString).toList();
    }

    /** The manifests through the real loader, parser and load-wide checks (names, networks, dependsOn, ports). */
    static ManifestLoader.LoadResult load(ComposeConverter.Conversion c) {
        Map<Path, byte[]> texts = new LinkedHashMap<>();
        c.documents().forEach(d -> texts.put(Path.of(d.fileName()), d.yaml().getBytes(StandardCharsets.UTF_8)));
        return new ManifestLoader(java.io.InputStream.nullInputStream()).loadTexts(texts);
    }

    @Test
    void theShopBecomesTheseManifests() throws Exception {
        ComposeConverter.Conversion c = shop();
        // The secret's file is made absolute against the Compose file's directory, which depends on the checkout.
        assertThat(c.text().replace(SHOP.toAbsolutePath().getParent().toString(), "COMPOSE_DIR"))
                .isEqualTo(Files.readString(Path.of("src/test/resources/compose/shop.expected.yaml")));
        assertThat(c.documents()).extracting(ComposeConverter.Document::fileName)
                .containsExactly("network-shop-front.yaml", "network-shop-back.yaml", "web.yaml", "app.yaml", "db.yaml");
    }

    @Test
    void theShopsBuildAndBindMountAreNamedWithTheirLinesAndItsFileSecretIsCarried() throws Exception {
        ComposeConverter.Conversion c = shop();
        String f = SHOP.toString();
        assertThat(findings(c)).containsExactly(
                f + ":27:5: services.app.build: not carried (Berth runs images; build it and set image:; until then the manifest "
                        + "runs shop-app, the image docker compose build makes)",
                f + ":46:9: services.app.volumes[0]: not carried (a bind mount: Berth mounts only named volumes; declare one "
                        + "under volumes: and copy the data into it)",
                f + ":47:5: services.app.expose: warning: ignored: containers on a shared network reach every port; Berth "
                        + "publishes only ports:",
                f + ":52:3: services.db: warning: no limits; Berth runs only limited workloads, so it gets cpu 1, memory 512Mi "
                        + "(set deploy.resources.limits to choose)");
        assertThat(c.complete()).isFalse();
        assertThat(c.text()).contains("secrets:\n    - {name: db-password, file: "
                + SHOP.toAbsolutePath().getParent().resolve("db_password.txt") + ", mountPath: /run/secrets/db_password}");
    }

    @Test
    void theShopsManifestsPassBerthsOwnValidation() throws Exception {
        ManifestLoader.LoadResult loaded = load(shop());
        assertThat(loaded.errors()).isEmpty();
        assertThat(loaded.workloads()).extracting(Workload::name).containsExactly("web", "app", "db");
        assertThat(loaded.networks()).extracting(NetworkManifest::name, NetworkManifest::internal)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("shop-front", false), org.assertj.core.groups.Tuple.tuple("shop-back", true));
        assertThat(loaded.workloads().getFirst().dependsOn().getFirst().condition().name()).isEqualTo("healthy");
    }

    @Test
    void servicesWithoutNetworksShareTheProjectsDefaultNetwork() {
        ComposeConverter.Conversion c = convert("""
                services:
                  a: {image: busybox, cpus: 0.1, mem_limit: 32m}
                  b: {image: busybox, cpus: 0.1, mem_limit: 32m, networks: [default, extra]}
                networks:
                  extra:
                """);
        assertThat(c.documents().getFirst().yaml()).isEqualTo("""
                # agent convert: compose.yml, networks.default (Compose's implicit one)
                apiVersion: berth.io/v1
                kind: Network
                metadata:
                  name: demo-default
                spec: {}
                """);
        assertThat(c.text()).contains("name: a\n").contains("    - {name: demo-default}\n  ")
                .contains("    - {name: demo-default}\n    - {name: demo-extra}\n");
        assertThat(c.complete()).as(findings(c).toString()).isTrue();
        assertThat(load(c).errors()).isEmpty();
    }

    @Test
    void theFormsComposeAllowsAllConvert() {
        ComposeConverter.Conversion c = convert("""
                services:
                  web:
                    image: nginx:1.27
                    pull_policy: always
                    entrypoint: /docker-entrypoint.sh
                    command: nginx -g "daemon off;"
                    environment: {A: "1", B: yes, C: "price $$5"}
                    ports: ["8000-8001:80-81", "[::1]:9090:90", "9091:91/udp"]
                    restart: "no"
                    read_only: true
                    user: nginx
                    healthcheck: {test: curl -f http://localhost/, interval: 1m30s, timeout: 10s, retries: 5}
                    deploy:
                      replicas: 1
                      resources:
                        limits: {cpus: "2", memory: 1g, pids: 100}
                        reservations: {cpus: "0.5", memory: 256M}
                  job:
                    image: busybox
                    environment: [ONLY=x=y]
                    healthcheck: {test: ["NONE"]}
                    mem_limit: "1536m"
                    cpus: 1.5
                  after:
                    image: busybox
                    cpus: 0.1
                    mem_limit: 32m
                    depends_on:
                      job: {condition: service_completed_successfully, required: true, restart: false}
                      web: {condition: service_healthy}
                """);
        assertThat(findings(c)).as("everything carried").isEmpty();
        String web = c.documents().get(1).yaml();
        assertThat(web).isEqualTo("""
                # agent convert: compose.yml, services.web
                apiVersion: berth.io/v1
                kind: Container
                metadata:
                  name: web
                spec:
                  resources:
                    limits: {cpu: "2", memory: 1Gi, pids: 100}
                    requests: {cpu: 500m, memory: 256Mi}
                  image: nginx:1.27
                  imagePullPolicy: Always
                  command: [/docker-entrypoint.sh]
                  args: [nginx, "-g", "daemon off;"]
                  env:
                    - {name: A, value: "1"}
                    - {name: B, value: "yes"}
                    - {name: C, value: "price $5"}
                  ports:
                    - {containerPort: 80, hostPort: 8000}
                    - {containerPort: 81, hostPort: 8001}
                    - {containerPort: 90, hostPort: 9090, hostIP: "::1"}
                    - {containerPort: 91, hostPort: 9091, protocol: udp}
                  restartPolicy: Never
                  healthCheck:
                    command: [/bin/sh, "-c", "curl -f http://localhost/"]
                    interval: 1m30s
                    timeout: 10s
                    retries: 5
                  securityContext: {user: nginx, readOnlyRootFilesystem: true}
                  networks:
                    - {name: demo-default}
                """);
        String job = c.documents().get(2).yaml();
        assertThat(job).contains("limits: {cpu: 1500m, memory: 1536Mi}").contains("- {name: ONLY, value: \"x=y\"}")
                .doesNotContain("healthCheck");
        assertThat(c.documents().get(3).yaml()).contains("""
                  dependsOn:
                    - {name: job, condition: completed}
                    - {name: web, condition: healthy}
                """);
        assertThat(load(c).errors()).isEmpty();
    }

    @Test
    void everyKeyBerthCannotCarryIsNamedAtItsPosition() {
        ComposeConverter.Conversion c = convert("""
                services:
                  web:
                    image: busybox
                    privileged: true
                    cap_add: [NET_ADMIN]
                    env_file: .env
                    environment: [FROM_SHELL, "TOKEN=${TOKEN}"]
                    ports: ["80", "127.0.0.1::81", "8000-8002:80"]
                    volumes: ["/srv:/srv", "/cache", {type: tmpfs, target: /tmp}, "undeclared:/data"]
                    restart: on-failure:3
                    healthcheck: {test: ["CMD", "true"], start_period: 30s}
                    cpus: 0.1
                    mem_limit: 32m
                    depends_on: [ghost]
                  side:
                    image: busybox
                    network_mode: host
                    restart: always
                    depends_on: {web: {condition: service_healthy, restart: true}}
                  plain: {image: busybox, cpus: 0.1, mem_limit: 32m, depends_on: {side: {condition: service_completed_successfully}}}
                networks:
                  outside: {external: true}
                configs:
                  app: {file: ./app.conf}
                """);
        assertThat(findings(c)).containsExactly(
                "compose.yml:4:5: services.web.privileged: not carried (set securityContext.privileged yourself; Berth refuses it unless the host allows it)",
                "compose.yml:5:5: services.web.cap_add: not carried (Berth sets no capabilities)",
                "compose.yml:6:5: services.web.env_file: not carried (write the variables under environment:)",
                "compose.yml:7:19: services.web.environment.FROM_SHELL: not carried (no value: Compose takes it from the shell running it; write the value)",
                "compose.yml:7:31: services.web.environment[1]: not carried (variable interpolation: Berth reads no .env file and no environment; write the value)",
                "compose.yml:8:13: services.web.ports[0]: not carried (a port published on a random host port: Berth publishes on a fixed hostPort; write HOST:80)",
                "compose.yml:8:19: services.web.ports[1]: not carried (a port published on a random host port: Berth publishes on a fixed hostPort; write HOST:81)",
                "compose.yml:8:36: services.web.ports[2]: not carried (\"8000-8002:80\": ports are 1 to 65535, and a host range must be as long as the container range)",
                "compose.yml:9:15: services.web.volumes[0]: not carried (" + ServiceParts.BIND + ")",
                "compose.yml:9:28: services.web.volumes[1]: not carried (an anonymous volume: Berth mounts named volumes; declare one under volumes: and name it here)",
                "compose.yml:9:38: services.web.volumes[2]: not carried (type tmpfs: Berth mounts only named volumes (type: volume))",
                "compose.yml:9:67: services.web.volumes[3]: not carried (volume \"undeclared\" is not declared under the top-level volumes:)",
                "compose.yml:10:14: services.web.restart: not carried (the retry count: Berth retries with a back-off, without a limit)",
                "compose.yml:11:42: services.web.healthcheck.start_period: not carried (Berth's health check has command, interval, timeout and retries)",
                "compose.yml:14:18: services.web.depends_on: not carried (\"ghost\" is not a service of this file)",
                "compose.yml:15:3: services.side: warning: no limits; Berth runs only limited workloads, so it gets cpu 1, memory 512Mi (set deploy.resources.limits to choose)",
                "compose.yml:17:5: services.side.network_mode: not carried (Berth containers are on Berth networks (spec.networks) or Docker's default bridge)",
                "compose.yml:19:61: services.side.depends_on.web.restart: not carried (Berth does not restart a dependant with its dependency)",
                "compose.yml:20:67: services.plain.depends_on.side: not carried (service_completed_successfully, but side "
                        + "restarts always and never completes; it waits for the start instead)",
                "compose.yml:22:23: networks.outside.external: not carried (an external network: Berth joins only its own networks; declare it without external)",
                "compose.yml:23:1: configs: not carried (Berth has no configs; use a named volume or put the file in the image)");
        assertThat(c.complete()).isFalse();
        assertThat(load(c).errors()).as("what was carried still validates").isEmpty();
    }

    @Test
    void aHealthyDependencyOnAServiceWithoutAHealthCheckWaitsForItsStartAndIsReported() {
        ComposeConverter.Conversion c = convert("""
                services:
                  db: {image: busybox, cpus: 0.1, mem_limit: 32m}
                  app: {image: busybox, cpus: 0.1, mem_limit: 32m, depends_on: {db: {condition: service_healthy}}}
                """);
        assertThat(findings(c)).containsExactly("compose.yml:3:65: services.app.depends_on.db: not carried "
                + "(service_healthy, but db has no health check Berth can run; it waits for the start instead)");
        assertThat(c.text()).contains("- {name: db, condition: started}");
        assertThat(load(c).errors()).isEmpty();
    }

    @Test
    void serviceNamesBecomeDnsLabelsWithAWarning() {
        ComposeConverter.Conversion c = convert("services:\n  My_DB: {image: busybox, cpus: 0.1, mem_limit: 32m}\n");
        assertThat(findings(c)).containsExactly("compose.yml:2:3: services.My_DB: warning: named \"my-db\" (Berth names are DNS labels); "
                + "other services reach it by that name");
        assertThat(c.text()).contains("name: my-db\n");
        assertThat(c.complete()).isTrue();
    }

    @Test
    void yamlThatCannotBeReadOrIsNoComposeFileIsAnErrorWithItsPosition() {
        assertThatThrownBy(() -> convert("services:\n  web: [unclosed\n")).isInstanceOf(ComposeException.class)
                .hasMessageStartingWith("compose.yml:3:1: invalid YAML");
        assertThatThrownBy(() -> convert("version: \"3\"\n")).isInstanceOf(ComposeException.class)
                .hasMessage("compose.yml:1:1: not a Compose file: services: must be a mapping with one entry per service");
        assertThatThrownBy(() -> convert("- a\n- b\n")).isInstanceOf(ComposeException.class)
                .hasMessage("compose.yml:1:1: not a Compose file (expected a mapping with services:)");
    }

    @Test
    void anchorsAndMergeKeysAreExpanded() {
        ComposeConverter.Conversion c = convert("""
                x-limits: &limits {cpus: 0.2, mem_limit: 64m}
                services:
                  a: {<<: *limits, image: busybox}
                """);
        assertThat(findings(c)).isEmpty();
        assertThat(c.text()).contains("limits: {cpu: 200m, memory: 64Mi}");
    }

    @Test
    void commandStringsSplitLikeAShellAndMemoryTakesDockersUnits() {
        assertThat(Words.split("sh -c 'echo \"a b\"; exit 0'")).containsExactly("sh", "-c", "echo \"a b\"; exit 0");
        assertThat(Words.split("echo \"x \\\"y\\\"\" a\\ b  c")).containsExactly("echo", "x \"y\"", "a b", "c");
        assertThatThrownBy(() -> Words.split("echo 'oops")).hasMessage("unterminated single quote");
        assertThat(Words.memory("512m")).isEqualTo("512Mi");
        assertThat(Words.memory("1gb")).isEqualTo("1Gi");
        assertThat(Words.memory("1048576")).isEqualTo("1Mi");
        assertThat(Words.memory("1.5G")).isEqualTo("1536Mi");
        assertThatThrownBy(() -> Words.memory("lots")).hasMessageContaining("is not a memory size");
        assertThat(Words.label("My_App.v2")).isEqualTo("my-app-v2");
    }
}
