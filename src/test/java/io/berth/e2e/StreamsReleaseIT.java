package io.berth.e2e;

import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streaming clients that go away free what they held: 20 clients follow a silent container's
 * logs, watch events and the stats stream against a real daemon and Docker, then drop their
 * connections; within a few seconds no thread of the daemon is left in a stream (its thread dump),
 * its docker-java stream threads and its open sockets (the Docker connections among them) are
 * back where they were, and its worker pool has not grown (the workers are idle in it again). A silent follow is
 * the hard case: no write ever fails, so only the connection's close can end it.
 */
class StreamsReleaseIT {

    static final int CLIENTS = 20;

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-streams-" + id;
    final String quiet = "quiet-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;

    DaemonProcess daemon;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
    }

    /** Threads (all, and per name without its number), docker-java stream threads, socket descriptors. */
    record Usage(int threads, int dockerStreams, int sockets, java.util.SortedMap<String, Integer> names) {
    }

    Usage usage() throws IOException {
        long pid = daemon.process().pid();
        int threads = 0;
        int streams = 0;
        java.util.SortedMap<String, Integer> names = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                threads++;
                try {
                    String comm = Files.readString(t.resolve("comm")).strip();
                    names.merge(comm.replaceAll("[-0-9]+$", ""), 1, Integer::sum);
                    if (comm.startsWith("docker-java-str")) {
                        streams++;
                    }
                } catch (IOException gone) {
                    // the thread ended while we looked
                }
            }
        }
        int sockets = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException gone) {
                    // closed while we looked
                }
            }
        }
        return new Usage(threads, streams, sockets, names);
    }

    /** A raw HTTP client: the request, the response head read (not for logs), the body left unread until closed. */
    Socket open(String path) throws Exception {
        Socket s = new Socket("127.0.0.1", Integer.parseInt(daemon.url().replaceAll(".*:", "")));
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + daemon.token()
                + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (path.contains("/logs")) {
            return s; // a silent follow sends no head until the container prints: its Docker stream shows it is open
        }
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        assertThat(head.toString()).as(path).startsWith("HTTP/1.1 200");
        return s;
    }

    List<Socket> openAll() throws Exception {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(open(switch (i % 4) {
                case 0, 1 -> "/api/v1/workloads/" + quiet + "/logs?follow=true&tail=0";
                case 2 -> "/api/v1/events?watch=true";
                default -> "/api/v1/stats/stream";
            }));
        }
        return clients;
    }

    @Test
    void clientsThatGoAwayFreeTheirThreadsAndDockerConnectionsWithinSeconds() throws Exception {
        Files.writeString(manifests.resolve("quiet.yaml"), Manifests.containerYaml(quiet, "100m", "32Mi", Manifests.SLEEP));
        daemon = DaemonProcess.start(manifests, state, agent, Map.of());
        daemon.await("container running", () -> Docker.run("inspect", "berth-" + quiet).exit() == 0
                && Docker.inspect("berth-" + quiet, "{{.State.Status}}").equals("running"));
        daemon.await("stats sampled", () -> daemon.status("/api/v1/stats", tokenOrNull()) == 200);

        // The daemon's own Docker event watch is a docker-java stream too: count from there.
        int ownStreams = usage().dockerStreams();
        // A first round warms the pools (HTTP workers, the streaming Docker client); the second must end where it began.
        List<Socket> warmUp = openAll();
        daemon.await("warm-up follows hold Docker streams", () -> quietly().dockerStreams() == ownStreams + CLIENTS / 2);
        for (Socket s : warmUp) {
            s.close();
        }
        daemon.await("warm-up streams ended", () -> quietly().dockerStreams() == ownStreams);
        Thread.sleep(1000);
        Usage before = usage();

        List<Socket> clients = openAll();
        daemon.await("every follow holds a Docker stream", () -> quietly().dockerStreams() == ownStreams + CLIENTS / 2);
        Usage during = usage();
        assertThat(streamingThreads()).as("threads in the follows and watches").isGreaterThanOrEqualTo(CLIENTS / 2 + CLIENTS / 4);
        for (Socket s : clients) {
            s.close();
        }
        long closed = System.nanoTime();
        Usage[] last = {during};
        try {
            daemon.await("back to the baseline", java.time.Duration.ofSeconds(5), () -> {
                Usage now = last[0] = quietly();
                // Sockets: the plain Docker client's pool keeps up to 8 idle connections for the resync's
                // inspects (DockerRuntime.INSPECTS); 20 leaked clients would hold 20 to 40 more.
                return now.dockerStreams() == ownStreams && now.sockets() <= before.sockets() + 8
                        && now.names().getOrDefault("executor-thread", 0) <= during.names().getOrDefault("executor-thread", 0)
                        && streamingThreads() == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError("before " + before + ", during " + during + ", 5 s after closing " + last[0]
                    + "\n" + sockets(), e);
        }
        assertThat(streamingThreads()).as("threads still in Berth's stream code after their clients left").isZero();
        Usage after = usage();
        System.out.printf("streams: before %s, with %d clients %s, %d ms after closing %s%n", before, CLIENTS, during,
                (System.nanoTime() - closed) / 1_000_000, after);
        assertThat(during.sockets()).as("the follows held connections").isGreaterThanOrEqualTo(before.sockets() + CLIENTS);
        assertThat(daemon.status("/q/health/live", null)).isEqualTo(200);
    }

    /**
     * Threads whose stack is in a stream of Berth's (a log follow or an event watch), from the
     * daemon's own thread dump: an idle worker back in Quarkus' pool is not one; a leaked follow is.
     */
    int streamingThreads() {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(daemon.process().pid()), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            int n = 0;
            for (String thread : dump.split("\n\n")) {
                if (thread.contains("io.berth.runtime.docker.ContainerLogs.copy") || thread.contains("io.berth.api.EventStream.write")) {
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The daemon's sockets as ss(8) lists them, for a failure message. */
    String sockets() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "ss -tanp; ss -xp").redirectErrorStream(true).start();
            String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            String pid = "pid=" + daemon.process().pid() + ",";
            return String.join("\n", all.lines().filter(l -> l.contains(pid)).toList());
        } catch (IOException | InterruptedException e) {
            return "(ss: " + e + ")";
        }
    }

    private String tokenOrNull() {
        try {
            return daemon.token();
        } catch (IOException e) {
            return null;
        }
    }

    private Usage quietly() {
        try {
            return usage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
