package io.berth.runtime.libvirt;

import io.berth.manifest.Workload;
import io.berth.runtime.Ownership;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.testing.Manifests;
import io.berth.testing.SocketProxy;
import io.berth.testing.Virsh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LibvirtRuntime#watch} against the real libvirtd: lifecycle events of this agent's domains
 * become their Berth names, other domains' events do not, and the watch survives libvirtd going
 * away and coming back, or hanging (simulated with a {@link SocketProxy} in front of libvirtd's
 * socket, so the libvirtd others share is never restarted or stopped).
 */
class LibvirtEventsTest {

    static final Path STATE = Virsh.stateDir("events");
    static final Path LIBVIRT_SOCKET = Path.of("/run/libvirt/libvirt-sock");

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "events-" + id;
    final String ours = "ev" + id;
    final List<String> names = new CopyOnWriteArrayList<>();
    final List<String> everything = new CopyOnWriteArrayList<>();
    final List<AutoCloseable> closing = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        Virsh.removeAgentDomains(agent);
        Virsh.removeAgentDomains(agent + "-other");
        for (String hand : List.of("berth-" + ours + "-hand", ours + "-plain")) {
            Virsh.run("undefine", hand);
        }
    }

    /** The disks the domains left (virsh undefine keeps them). */
    @AfterAll
    static void removeState() throws IOException {
        try (Stream<Path> files = Files.walk(STATE)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aDestroyedDomainOfThisAgentIsPassedOnByNameAndOtherDomainsAreNot() throws Exception {
        LibvirtRuntime runtime = open(new LibvirtRuntime(agent, Virsh.URI, STATE, io.berth.manifest.Redaction.ephemeral()));
        LibvirtRuntime other = open(new LibvirtRuntime(agent + "-other", Virsh.URI, STATE, io.berth.manifest.Redaction.ephemeral()));
        open(runtime.watch(this::received, () -> { }));
        runtime.create(vm(ours), new Ownership(agent, "/test/events"));
        awaitWatching();

        // Domains that are not ours, each defined and undefined: a hand-made berth-*, another
        // agent's, and one without the prefix. Their events precede ours on the one connection.
        defineByHand("berth-" + ours + "-hand");
        defineByHand(ours + "-plain");
        Workload theirs = vm(ours + "-other");
        other.create(theirs, new Ownership(agent + "-other", "/test/events"));
        Virsh.ok("undefine", "berth-" + ours + "-hand");
        Virsh.ok("undefine", ours + "-plain");
        other.remove(theirs.name(), false);

        names.clear();
        runtime.start(ours);
        await("the start of " + ours, Duration.ofSeconds(10), () -> names.contains(ours));
        awaitQuiet();

        names.clear();
        long destroyed = System.nanoTime();
        Virsh.ok("destroy", "berth-" + ours);
        await("the destroy of " + ours, Duration.ofSeconds(5), () -> names.contains(ours));
        assertThat(Duration.ofNanos(System.nanoTime() - destroyed)).isLessThan(Duration.ofSeconds(5));

        assertThat(Set.copyOf(everything)).as("only this agent's domain, never the others'").containsExactly(ours);
    }

    @Test
    void afterLibvirtdWentAwayAndCameBackItSaysEventsWereMissedAndWatchesAgain() throws Exception {
        SocketProxy proxy = open(new SocketProxy(tmp.resolve("libvirt-sock"), LIBVIRT_SOCKET));
        LibvirtRuntime runtime = open(new LibvirtRuntime(agent, "qemu+unix:///system?socket=" + proxy.path(), STATE, io.berth.manifest.Redaction.ephemeral()));
        AtomicInteger reconnects = new AtomicInteger();
        open(runtime.watch(this::received, reconnects::incrementAndGet));
        runtime.create(vm(ours), new Ownership(agent, "/test/events"));
        awaitWatching();

        proxy.cut(); // libvirtd "stops": connections end, new ones are refused
        assertThatThrownBy(runtime::list).as("libvirtd unreachable is the runtime being unavailable")
                .isInstanceOf(RuntimeUnavailableException.class);
        Thread.sleep(1_000);
        assertThat(reconnects).as("no reconnect while libvirtd is away").hasValue(0);

        proxy.resume();
        await("a reconnect", Duration.ofSeconds(15), () -> reconnects.get() == 1);
        names.clear();
        redefine(ours);
        await("an event on the new connection", Duration.ofSeconds(5), () -> names.contains(ours));
        assertThat(runtime.inspect(ours)).as("calls reconnect too").isPresent();
        assertThat(reconnects).as("onReconnect once per reconnect").hasValue(1);
    }

    @Test
    void aLibvirtdThatHangsIsNoticedByKeepaliveAndWatchedAgainOnceItAnswers() throws Exception {
        SocketProxy proxy = open(new SocketProxy(tmp.resolve("libvirt-sock"), LIBVIRT_SOCKET));
        LibvirtRuntime runtime = open(new LibvirtRuntime(agent, "qemu+unix:///system?socket=" + proxy.path(), STATE, io.berth.manifest.Redaction.ephemeral()));
        AtomicInteger reconnects = new AtomicInteger();
        open(runtime.watch(this::received, reconnects::incrementAndGet));
        runtime.create(vm(ours), new Ownership(agent, "/test/events"));
        awaitWatching();

        // A hung libvirtd: the socket stays open, nothing answers. Only keepalive (5 s, 3 probes)
        // can tell; without it the watch would wait on the old connection forever.
        proxy.freeze();
        Thread.sleep(Duration.ofSeconds(DomainEvents.KEEPALIVE_INTERVAL_S * (DomainEvents.KEEPALIVE_COUNT + 2L)));
        proxy.thaw();
        await("a reconnect", Duration.ofSeconds(15), () -> reconnects.get() == 1);
        names.clear();
        redefine(ours);
        await("an event on the new connection", Duration.ofSeconds(5), () -> names.contains(ours));
    }

    private void received(String name) {
        names.add(name);
        everything.add(name);
    }

    private <T extends AutoCloseable> T open(T c) {
        closing.add(c);
        return c;
    }

    /**
     * The watch subscribes in the background: redefine our (stopped) domain, which libvirt reports
     * as "defined, updated", until its name comes through.
     */
    private void awaitWatching() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            redefine(ours);
            long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < until) {
                if (names.contains(ours)) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the watch never passed on " + ours + "; received " + everything);
    }

    /** Until nothing more arrives for a second (the tail of a start's events). */
    private void awaitQuiet() throws InterruptedException {
        int seen;
        do {
            seen = everything.size();
            Thread.sleep(1_000);
        } while (everything.size() != seen);
    }

    private void redefine(String name) throws IOException {
        Path xml = tmp.resolve(name + ".xml");
        Files.writeString(xml, Virsh.ok("dumpxml", "--inactive", "berth-" + name));
        Virsh.ok("define", xml.toString());
    }

    private void defineByHand(String domain) throws IOException {
        Path xml = tmp.resolve(domain + ".xml");
        Files.writeString(xml, """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>32</memory>
                  <os><type arch='x86_64'>hvm</type></os>
                </domain>
                """.formatted(domain));
        Virsh.ok("define", xml.toString());
    }

    private static Workload vm(String name) {
        return Manifests.tinyVm(name, "0.5", "64Mi", "");
    }

    private void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(what + ": not within " + max.toSeconds() + " s; received " + everything);
    }
}
