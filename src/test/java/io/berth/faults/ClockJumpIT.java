package io.berth.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 5: the wall clock jumps an hour forward under a running daemon, as NTP stepping a
 * clock would. The daemon runs under libfaketime (LD_PRELOAD in its environment) with a
 * timestamp file changed mid-test from {@code +0} to {@code +3600} (re-read every second); the monotonic clock is left
 * alone (FAKETIME_DONT_FAKE_MONOTONIC=1), so only what the JVM reads as wall time jumps, and the
 * test checks the JVM really saw it (the events' timestamps). After the jump: a crash-looping
 * container keeps backing off — restarted, but neither in a tight loop nor left for an hour —,
 * the resync goes on (the readiness check's lastRelist advances in the new time), readiness never
 * drops, and no workload is recreated.
 */
class ClockJumpIT {

    static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1");
    static final long JUMP_SECONDS = 3600;
    static final Duration WATCH = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "fault-clock-" + id;
    final String steady = "fclk-" + id + "-steady";
    final String looper = "fclk-" + id + "-loop";

    @TempDir
    Path manifests;
    @TempDir
    Path state;
    @TempDir
    Path tmp;

    DaemonProcess daemon;

    @AfterEach
    void cleanUp() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
    }

    @Test
    void aWallClockJumpOfAnHourForwardKeepsBackOffsResyncAndReadinessAndRecreatesNothing() throws Exception {
        Assumptions.assumeTrue(Files.exists(LIBFAKETIME), "libfaketime (Debian package faketime) is installed by deploy/host-setup.sh");
        Path timestamp = tmp.resolve("faketime");
        Files.writeString(timestamp, "+0\n");
        // NO_FAKE_STAT: libfaketime also shifts the times stat() reports, which costs the JVM's
        // class loading so much that the daemon took 180 s to get ready instead of 24 s here
        // (33 s without it); Berth reads no file times the jump would matter for.
        daemon = DaemonProcess.start(manifests, state, state.resolve("daemon.log"), agent, Map.of(
                "LD_PRELOAD", LIBFAKETIME.toString(),
                "FAKETIME_TIMESTAMP_FILE", timestamp.toString(),
                // Re-read the timestamp file at most once a second, not at every clock read
                // (FAKETIME_NO_CACHE=1): libfaketime wraps every clock_gettime, the monotonic ones the
                // JVM makes all the time included, and with NO_CACHE each of them opened and read the
                // file: readiness answers took ~1.6 s each and a 2 s resync fell 6 s behind.
                "FAKETIME_CACHE_DURATION", "1",
                "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                "NO_FAKE_STAT", "1",
                "BERTH_RESYNC_INTERVAL", "2s",
                "BERTH_RESTART_INITIAL_BACKOFF", "1s",
                "BERTH_RESTART_MAX_BACKOFF", "8s",
                "BERTH_RESTART_RESET_AFTER", "10s"), Duration.ofSeconds(240));
        String token = daemon.token();
        Files.writeString(manifests.resolve(steady + ".yaml"), Manifests.containerYaml(steady, "50m", "32Mi", Manifests.SLEEP));
        Files.writeString(manifests.resolve(looper + ".yaml"), Manifests.containerYaml(looper, "50m", "32Mi", "exit 1"));
        String steadyC = "berth-" + steady;
        String loopC = "berth-" + looper;
        daemon.await("steady running", () -> Docker.run("inspect", steadyC).exit() == 0
                && Docker.inspect(steadyC, "{{.State.Status}}").equals("running"));
        daemon.await("the looper in its back-off (4 restarts)", Duration.ofSeconds(60), () -> restarts(token) >= 4);
        String steadyId = Docker.inspect(steadyC, "{{.Id}}");
        String steadyStarted = Docker.inspect(steadyC, "{{.State.StartedAt}}");
        String loopId = Docker.inspect(loopC, "{{.Id}}");
        Instant eventsBefore = lastEventAt(token);
        assertThat(Duration.between(Instant.now(), eventsBefore).abs()).as("before the jump the daemon's clock is ours")
                .isLessThan(Duration.ofMinutes(5));
        int restartsBefore = restarts(token);

        // The jump.
        long jumpEpoch = Instant.now().getEpochSecond();
        Instant jumpedTo = Instant.now().plusSeconds(JUMP_SECONDS);
        Files.writeString(timestamp, "+" + JUMP_SECONDS + "\n");
        long watchEnd = System.nanoTime() + WATCH.toNanos();
        int polls = 0;
        List<String> notReady = new ArrayList<>();
        while (System.nanoTime() < watchEnd) {
            HttpResponse<String> r = daemon.get("/q/health/ready", null);
            polls++;
            if (r == null || r.statusCode() != 200) {
                notReady.add((r == null ? "no answer" : r.statusCode() + " " + r.body().replaceAll("\\s+", " ")));
            }
            Thread.sleep(50);
        }
        long watchEndEpoch = Instant.now().getEpochSecond() + 1;
        Instant eventsAfter = lastEventAt(token);
        Instant lastRelist = lastRelist();
        int restartsAfter = restarts(token);
        List<String> starts = Docker.ok("events", "--since", Long.toString(jumpEpoch), "--until", Long.toString(watchEndEpoch),
                "--filter", "type=container", "--filter", "event=start", "--filter", "container=" + loopC,
                "--format", "{{.Time}}").lines().filter(l -> !l.isBlank()).toList();
        System.out.printf("ClockJumpIT: wall clock +%d s; the daemon's last event at %s (before: %s), lastRelist %s;"
                + " the looper restarted %d times in the %d s after the jump (Berth's count %d -> %d); readiness"
                + " polled %d times, not ready %d times%s%n", JUMP_SECONDS, eventsAfter, eventsBefore, lastRelist,
                starts.size(), WATCH.toSeconds(), restartsBefore, restartsAfter, polls, notReady.size(),
                notReady.isEmpty() ? "" : ": " + notReady.subList(0, Math.min(3, notReady.size())));

        assertThat(eventsAfter).as("the JVM sees the jump: its events are stamped an hour ahead")
                .isAfter(jumpedTo.minusSeconds(120));
        assertThat(lastRelist).as("the resync goes on in the new time").isAfter(jumpedTo.minusSeconds(10));
        assertThat(notReady).as("readiness stays true through the jump (" + polls + " polls)").isEmpty();
        assertThat(starts.size()).as("the crash loop is restarted after the jump (not stuck for an hour)")
                .isGreaterThanOrEqualTo(2);
        assertThat(starts.size()).as("and still backs off (initial 1 s, doubling to 8 s: no tight loop)")
                .isLessThanOrEqualTo(10);
        assertThat(Docker.inspect(steadyC, "{{.Id}}")).as("the steady container not recreated").isEqualTo(steadyId);
        assertThat(Docker.inspect(steadyC, "{{.State.StartedAt}}")).as("nor restarted").isEqualTo(steadyStarted);
        assertThat(Docker.inspect(loopC, "{{.Id}}")).as("the looper restarted, never recreated").isEqualTo(loopId);
        Aftermath.check("ClockJumpIT", daemon, state, agent, Aftermath.Expect.containers(Set.of(steady, looper)));
    }

    private int restarts(String token) {
        HttpResponse<String> r = daemon.get("/api/v1/workloads/" + looper, token);
        if (r == null || r.statusCode() != 200) {
            return -1;
        }
        try {
            return JSON.readTree(r.body()).path("restarts").asInt(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    private Instant lastEventAt(String token) throws Exception {
        HttpResponse<String> r = daemon.get("/api/v1/events", token);
        assertThat(r).isNotNull();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Instant last = Instant.EPOCH;
        for (JsonNode e : JSON.readTree(r.body())) {
            Instant at = Instant.parse(e.path("at").asText());
            if (at.isAfter(last)) {
                last = at;
            }
        }
        return last;
    }

    private Instant lastRelist() throws Exception {
        HttpResponse<String> r = daemon.get("/q/health/ready", null);
        for (JsonNode check : JSON.readTree(r.body()).path("checks")) {
            if (check.path("name").asText().equals("relist")) {
                return Instant.parse(check.path("data").path("lastRelist").asText());
            }
        }
        throw new AssertionError("no relist check in " + r.body());
    }
}
