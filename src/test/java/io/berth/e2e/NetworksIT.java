package io.berth.e2e;

import io.berth.testing.Agent;
import io.berth.testing.Docker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kind: Network and spec.networks through the real {@code ./agent apply --local} against the real
 * Docker Engine, checked from inside the containers (busybox nc and ping; its static wget crashes
 * on lookups): the app reaches the db by name and by alias, a container on another network reaches
 * it by neither, an internal network forwards nothing out, networks change in place (same
 * container id), a subnet change recreates the network and carries the containers over, prune
 * refuses a network a foreign container uses, and a re-plan after each apply is no change.
 */
class NetworksIT {

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agentName = "e2e-net-" + id;
    final Agent agent = Agent.local(agentName);
    final String back = "back-" + id;
    final String front = "front-" + id;
    final String closed = "closed-" + id;
    final String foreign = "foreign-" + id;

    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        Docker.run("rm", "-f", foreign);
        Docker.removeAgentContainers(agentName);
        String nets = Docker.ok("network", "ls", "-q", "--filter", "label=io.berth.agent=" + agentName);
        for (String n : nets.isBlank() ? new String[0] : nets.split("\\s+")) {
            Docker.run("network", "rm", n);
        }
    }

    String network(String name, String spec) {
        return "apiVersion: berth.io/v1\nkind: Network\nmetadata: {name: " + name + "}\nspec: " + spec + "\n---\n";
    }

    String container(String name, String command, String networks) {
        return "apiVersion: berth.io/v1\nkind: Container\nmetadata: {name: " + name + "-" + id + "}\nspec:\n"
                + "  image: berth/busybox:1\n  imagePullPolicy: Never\n  resources: {limits: {cpu: 100m, memory: 32Mi}}\n"
                + "  command: [sh, -c, \"" + command + "\"]\n" + (networks.isEmpty() ? "" : "  networks: " + networks + "\n") + "---\n";
    }

    static final String SERVE = "echo db-ok > /tmp/index.html; exec httpd -f -p 8080 -h /tmp";

    String manifests(String backSpec, String webNetworks, boolean withClosed) {
        return network(back, backSpec) + network(front, "{}") + (withClosed ? network(closed, "{internal: true}") : "")
                + container("db", SERVE, "[{name: " + back + ", aliases: [database]}]")
                + container("app", "exec sleep 3600", "[{name: " + back + "}, {name: " + front + "}]")
                + container("web", "exec sleep 3600", webNetworks)
                + (withClosed ? container("iso", "exec sleep 3600", "[{name: " + closed + "}]") : "")
                + container("plain", "exec sleep 3600", "");
    }

    Agent.Result apply(String yaml, String... extra) throws IOException {
        Path f = dir.resolve("stack.yaml");
        Files.writeString(f, yaml);
        List<String> args = new java.util.ArrayList<>(List.of("apply", "-f", f.toString()));
        args.addAll(List.of(extra));
        return agent.run(args.toArray(String[]::new));
    }

    Agent.Result plan() {
        return agent.run("plan", "-f", dir.resolve("stack.yaml").toString());
    }

    /** An HTTP GET to {@code host}:8080 from inside {@code from}, with a 3 s deadline. */
    static Docker.Result get(String from, String host) {
        return Docker.run("exec", from, "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + host + " 8080");
    }

    @Test
    void multiTierNetworksFromInsideTheContainers() throws IOException {
        String web = "[{name: " + front + "}]";
        Agent.Result first = apply(manifests("{subnet: 10.89.251.0/24}", web, true));
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).contains("subnet 10.89.").contains("allocated from 10.89.0.0/16");

        // Ownership marks and what was declared, seen with Docker's own tool.
        String b = "berth-" + back;
        assertThat(Docker.ok("network", "inspect", "-f", "{{index .Labels \"io.berth.managed\"}} {{index .Labels \"io.berth.kind\"}} "
                + "{{index .Labels \"io.berth.agent\"}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{.Internal}}", b))
                .isEqualTo("true Network " + agentName + " 10.89.251.0/24 false");
        assertThat(Docker.ok("network", "inspect", "-f", "{{.Internal}}", "berth-" + closed)).isEqualTo("true");
        String frontSubnet = Docker.ok("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "berth-" + front);
        assertThat(frontSubnet).startsWith("10.89.").endsWith(".0/24");

        String db = "berth-db-" + id;
        String app = "berth-app-" + id;
        String webC = "berth-web-" + id;
        // The app reaches the db by its workload name and by its alias.
        assertThat(get(app, "db-" + id).out()).contains("db-ok");
        assertThat(get(app, "database").out()).contains("db-ok");
        // The web shares no network with the db: neither its name nor its address reach it.
        assertThat(get(webC, "db-" + id).out()).doesNotContain("db-ok");
        String dbIp = Docker.inspect(db, "{{(index .NetworkSettings.Networks \"" + b + "\").IPAddress}}");
        assertThat(dbIp).startsWith("10.89.251.");
        assertThat(get(webC, dbIp).out()).doesNotContain("db-ok");

        // A container on no networks is on Docker's default bridge, its record without networks.
        assertThat(Docker.inspect("berth-plain-" + id, "{{.HostConfig.NetworkMode}}")).isIn("default", "bridge");
        assertThat(Docker.inspect("berth-plain-" + id, "{{index .Config.Labels \"io.berth.spec\"}}")).doesNotContain("networks");

        // Internal: nothing is forwarded out. The host's default gateway answers a normal network, not the internal one.
        String gateway = defaultGateway();
        assumeTrue(gateway != null, "the host has no default gateway to try");
        assertThat(Docker.run("exec", webC, "ping", "-c1", "-W2", gateway).exit()).as("control: a normal network routes out").isZero();
        assertThat(Docker.run("exec", "berth-iso-" + id, "ping", "-c1", "-W2", gateway).exit()).isNotZero();

        Agent.Result again = plan();
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).contains("No changes");

        // The web joins the back network too: in place, the same container, and now it reaches the db.
        String webId = Docker.inspect(webC, "{{.Id}}");
        String both = "[{name: " + front + "}, {name: " + back + ", aliases: [www]}]";
        Files.writeString(dir.resolve("stack.yaml"), manifests("{subnet: 10.89.251.0/24}", both, true));
        Agent.Result planned = plan();
        assertThat(planned.exit()).as(planned.toString()).isEqualTo(2);
        assertThat(planned.out()).contains("web-" + id + " (Container): update in place — networks")
                .contains("spec.networks: [{name: " + front + "}] → ").contains("[in place: Docker connects and disconnects");
        Agent.Result joined = apply(manifests("{subnet: 10.89.251.0/24}", both, true));
        assertThat(joined.exit()).as(joined.toString()).isZero();
        assertThat(Docker.inspect(webC, "{{.Id}}")).isEqualTo(webId);
        assertThat(get(webC, "db-" + id).out()).contains("db-ok");
        assertThat(get(app, "www").exit()).as("the web's alias resolves (nothing listens there)").isNotZero();
        assertThat(Docker.run("exec", app, "nslookup", "www", "127.0.0.11").out()).contains("10.89.251.");
        assertThat(plan().out()).contains("No changes");

        // The subnet changes: the network is recreated and its containers carried over, same ids.
        String dbId = Docker.inspect(db, "{{.Id}}");
        Files.writeString(dir.resolve("stack.yaml"), manifests("{subnet: 10.89.252.0/24}", both, true));
        Agent.Result moved = plan();
        assertThat(moved.out()).contains(back + " (Network): recreate — spec.subnet cannot change in place; its workloads (")
                .contains("are disconnected and reconnected");
        Agent.Result recreated = apply(manifests("{subnet: 10.89.252.0/24}", both, true));
        assertThat(recreated.exit()).as(recreated.toString()).isZero();
        assertThat(Docker.inspect(db, "{{.Id}}")).isEqualTo(dbId);
        assertThat(Docker.inspect(db, "{{(index .NetworkSettings.Networks \"" + b + "\").IPAddress}}")).startsWith("10.89.252.");
        assertThat(get(app, "database").out()).contains("db-ok");
        assertThat(plan().out()).contains("No changes");

        // Prune never cuts off a container Berth does not manage.
        Docker.ok("run", "-d", "--name", foreign, "--network", "berth-" + closed, "berth/busybox:1", "sleep", "300");
        Agent.Result pruned = apply(manifests("{subnet: 10.89.252.0/24}", both, false), "--prune");
        assertThat(pruned.exit()).as(pruned.toString()).isEqualTo(1);
        assertThat(pruned.out() + pruned.err()).contains(closed + ": no longer declared in ")
                .contains("but containers Berth does not manage use it: " + foreign + "; left in place");
        assertThat(Docker.run("network", "inspect", "berth-" + closed).exit()).isZero();
        assertThat(Docker.run("inspect", "berth-iso-" + id).exit()).as("its workload was pruned").isNotZero();
        Docker.ok("rm", "-f", foreign);
        Agent.Result prunedNow = apply(manifests("{subnet: 10.89.252.0/24}", both, false), "--prune");
        assertThat(prunedNow.exit()).as(prunedNow.toString()).isZero();
        assertThat(Docker.run("network", "inspect", "berth-" + closed).exit()).isNotZero();
        assertThat(plan().out()).contains("No changes");

        // Another file may name a network Berth already runs without declaring it.
        Path extra = dir.resolve("extra.yaml");
        Files.writeString(extra, container("extra", "exec sleep 3600", "[{name: " + back + "}]"));
        Agent.Result more = agent.run("apply", "-f", extra.toString());
        assertThat(more.exit()).as(more.toString()).isZero();
        assertThat(get("berth-extra-" + id, "database").out()).contains("db-ok");
        // While it is on the network, deleting the stack's manifests removes their workloads but not that network.
        Agent.Result blocked = agent.run("delete", "-f", dir.resolve("stack.yaml").toString());
        assertThat(blocked.exit()).as(blocked.toString()).isEqualTo(1);
        assertThat(blocked.out()).contains(back + ": failed: " + back + ": network berth-" + back + " is not removed: workloads still on it: extra-" + id)
                .contains(front + ": deleted");
        assertThat(Docker.run("inspect", db).exit()).isNotZero();
        assertThat(agent.run("delete", "-f", extra.toString()).exit()).isZero();
        Agent.Result last = agent.run("delete", "-f", dir.resolve("stack.yaml").toString());
        assertThat(last.exit()).as(last.toString()).isZero();
        assertThat(Docker.ok("network", "ls", "-q", "--filter", "label=io.berth.agent=" + agentName)).isEmpty();
    }

    /** The host's IPv4 default gateway from /proc/net/route, or null. */
    static String defaultGateway() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[1].equals("00000000") && !f[2].equals("00000000")) {
                long g = Long.parseLong(f[2], 16);
                return (g & 255) + "." + (g >> 8 & 255) + "." + (g >> 16 & 255) + "." + (g >> 24 & 255);
            }
        }
        return null;
    }
}
