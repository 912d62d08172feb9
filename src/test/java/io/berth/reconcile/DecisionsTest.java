package io.berth.reconcile;

import io.berth.manifest.CanonicalForm;
import io.berth.manifest.Workload;
import io.berth.plan.Action;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.WorkloadState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.berth.reconcile.TestWorkloads.container;
import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler's rules as pure decisions: no runtime, no status book, no clock but the one given. */
class DecisionsTest {

    static final String DIR = "/etc/berth/manifests";
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    /** Gates with fixed answers that remember what was asked. */
    static final class FixedGates implements Decisions.Gates {
        final Instant restartAt;
        final Admission.Decision verdict;
        final List<String> asked = new ArrayList<>();

        FixedGates(Instant restartAt, Admission.Decision verdict) {
            this.restartAt = restartAt;
            this.verdict = verdict;
        }

        @Override
        public Instant restartAllowedAt() {
            asked.add("restart");
            return restartAt;
        }

        @Override
        public Admission.Decision admit(Admission.Need need) {
            asked.add("admit");
            return verdict;
        }
    }

    static final Admission.Decision FITS = new Admission.Decision(true, null);
    static final String NO_ROOM = "does not fit on this host: cpu needs 500m, free 0 of allocatable 1";

    private final FixedGates open = new FixedGates(NOW, FITS);

    static Observed observed(Workload w, String source, WorkloadState state, String health) {
        long mem = w.resources().limits().memoryBytes();
        return new Observed(w.name(), w.kind(), "id", state, state == WorkloadState.Exited ? 1 : null, false, source,
                "agent", CanonicalForm.specHash(w), w,
                new ObservedLimits(w.resources().limits().cpuMillis(), mem, mem, w.resources().pids(), 0), List.of(), health);
    }

    static Decisions.Facts facts(String name, Workload want, Observed have, boolean requested, boolean known,
                                 boolean detectOnly, StatusBook.Status status) {
        return new Decisions.Facts(name, want, have, requested, known, detectOnly, status, NOW, null,
                io.berth.manifest.Redaction.ephemeral());
    }

    static StatusBook.Status status(String name, StatusBook.Phase phase, String error) {
        return new StatusBook.Status(name, phase, "x", error, NOW, List.of(), 0, null);
    }

    @Test
    void anUndeclaredObjectOfAnUnknownSourceIsNeverDeleted() {
        Workload w = container("web");
        Decision d = Decisions.decide(facts("web", null, observed(w, "/elsewhere", WorkloadState.Running, null),
                false, false, false, null), open);
        assertThat(d).isEqualTo(new Decision.Forget());
        assertThat(open.asked).isEmpty();
    }

    @Test
    void nothingDesiredAndNothingObservedIsForgotten() {
        assertThat(Decisions.decide(facts("web", null, null, true, false, false, null), open))
                .isEqualTo(new Decision.Forget());
    }

    @Test
    void anUndeclaredObjectOfAKnownSourceIsDeletedWithoutAdmission() {
        Workload w = container("web");
        Decision d = Decisions.decide(facts("web", null, observed(w, DIR, WorkloadState.Running, null),
                false, true, false, null), open);
        assertThat(d).isInstanceOfSatisfying(Decision.Act.class, a -> {
            assertThat(a.action()).isInstanceOf(Action.Delete.class);
            assertThat(a.action().reason()).isEqualTo("no longer declared in " + DIR);
            assertThat(a.restart()).isFalse();
            assertThat(a.drift()).isFalse();
        });
        assertThat(open.asked).isEmpty();
    }

    @Test
    void aRequestedDeleteRemovesEvenAnUnknownSourcesObject() {
        Workload w = container("web");
        Decision d = Decisions.decide(facts("web", null, observed(w, "/local", WorkloadState.Running, null),
                true, false, false, null), open);
        assertThat(d).isInstanceOfSatisfying(Decision.Act.class,
                a -> assertThat(a.action().reason()).isEqualTo("deletion requested"));
    }

    @Test
    void detectOnlyReportsDriftOnceAndActsOnNothing() {
        Workload w = container("web");
        Decision first = Decisions.decide(facts("web", w, null, false, false, true, null), open);
        assertThat(first).isInstanceOfSatisfying(Decision.ReportDrift.class, r -> {
            assertThat(r.drift()).isEqualTo("would " + r.action().description() + ": not present on this host");
            assertThat(r.firstSeen()).isTrue();
        });
        String drift = ((Decision.ReportDrift) first).drift();
        Decision again = Decisions.decide(facts("web", w, null, false, false, true,
                status("web", StatusBook.Phase.Drifted, drift)), open);
        assertThat(again).isInstanceOfSatisfying(Decision.ReportDrift.class, r -> assertThat(r.firstSeen()).isFalse());
        assertThat(open.asked).as("detect-only neither reserves capacity nor starts a back-off").isEmpty();
    }

    @Test
    void detectOnlyDoesNotRestartAnUnhealthyWorkload() {
        Workload w = container("web");
        Decision d = Decisions.decide(facts("web", w, observed(w, DIR, WorkloadState.Running, "unhealthy"),
                false, true, true, null), open);
        assertThat(d).isInstanceOf(Decision.Steady.class);
    }

    @Test
    void anExitedWorkloadWaitsForItsBackoffBeforeAdmission() {
        Workload w = container("web");
        FixedGates later = new FixedGates(NOW.plusSeconds(20), FITS);
        Decision d = Decisions.decide(facts("web", w, observed(w, DIR, WorkloadState.Exited, null),
                false, true, false, null), later);
        assertThat(d).isEqualTo(new Decision.WaitBackoff(((Decision.WaitBackoff) d).action(), NOW.plusSeconds(20), false));
        assertThat(later.asked).containsExactly("restart");
    }

    @Test
    void anExitedWorkloadWhoseBackoffIsOverRestarts() {
        Workload w = container("web");
        Decision d = Decisions.decide(facts("web", w, observed(w, DIR, WorkloadState.Exited, null),
                false, true, false, null), open);
        assertThat(d).isInstanceOfSatisfying(Decision.Act.class, a -> {
            assertThat(a.action()).isInstanceOf(Action.Start.class);
            assertThat(a.restart()).isTrue();
            assertThat(a.drift()).as("its spec hash matches: a host-side change").isTrue();
        });
        assertThat(open.asked).containsExactly("restart", "admit");
    }

    @Test
    void aWorkloadThatDoesNotFitIsPendingWithTheReasonOncePerReason() {
        Workload w = container("web");
        FixedGates full = new FixedGates(NOW, new Admission.Decision(false, NO_ROOM));
        Decision d = Decisions.decide(facts("web", w, null, false, false, false, null), full);
        assertThat(d).isInstanceOfSatisfying(Decision.Pending.class, p -> {
            assertThat(p.reason()).isEqualTo(NO_ROOM);
            assertThat(p.firstSeen()).isTrue();
        });
        Decision again = Decisions.decide(facts("web", w, null, false, false, false,
                status("web", StatusBook.Phase.Pending, NO_ROOM)), full);
        assertThat(again).isInstanceOfSatisfying(Decision.Pending.class, p -> assertThat(p.firstSeen()).isFalse());
    }

    @Test
    void aRunningUnhealthyWorkloadIsRestartedUnlessItsBackoffRuns() {
        Workload w = container("web");
        Observed sick = observed(w, DIR, WorkloadState.Running, "unhealthy");
        assertThat(Decisions.decide(facts("web", w, sick, false, true, false, null), open))
                .isInstanceOf(Decision.RestartUnhealthy.class);
        Decision waiting = Decisions.decide(facts("web", w, sick, false, true, false, null),
                new FixedGates(NOW.plusSeconds(5), FITS));
        assertThat(waiting).isInstanceOfSatisfying(Decision.WaitBackoff.class, b -> {
            assertThat(b.unhealthy()).isTrue();
            assertThat(b.until()).isEqualTo(NOW.plusSeconds(5));
        });
    }

    @Test
    void restartPolicyNeverKeepsAnUnhealthyWorkloadAsItIs() {
        Workload w = container("web", "500m", "256Mi", "Never");
        Decision d = Decisions.decide(facts("web", w, observed(w, DIR, WorkloadState.Running, "unhealthy"),
                false, true, false, null), open);
        assertThat(d).isInstanceOf(Decision.Steady.class);
        assertThat(open.asked).isEmpty();
    }

    @Test
    void aStoppedWorkloadMeantToStaySoStaysStopped() {
        Workload w = container("job", "500m", "256Mi", "Never");
        Decision d = Decisions.decide(facts("job", w, observed(w, DIR, WorkloadState.Exited, null),
                false, true, false, null), open);
        assertThat(d).isInstanceOf(Decision.StaysStopped.class);
        assertThat(open.asked).isEmpty();
    }

    @Test
    void aVanishedWorkloadThatRanIsADriftRepairANewOneIsNot() {
        Workload w = container("web");
        Decision vanished = Decisions.decide(facts("web", w, null, false, false, false,
                status("web", StatusBook.Phase.Running, null)), open);
        assertThat(vanished).isInstanceOfSatisfying(Decision.Act.class, a -> assertThat(a.drift()).isTrue());
        Decision fresh = Decisions.decide(facts("web", w, null, false, false, false, null), open);
        assertThat(fresh).isInstanceOfSatisfying(Decision.Act.class, a -> {
            assertThat(a.action()).isInstanceOf(Action.Create.class);
            assertThat(a.drift()).isFalse();
        });
    }

    static Workload vm(String name) {
        io.berth.manifest.ManifestParser.ParseResult r = new io.berth.manifest.ManifestParser(
                new io.berth.manifest.HostPolicy(List.of(java.nio.file.Path.of("/var/lib/berth/images"))))
                .parse(java.nio.file.Path.of(name + ".yaml"), """
                        apiVersion: berth.io/v1
                        kind: VirtualMachine
                        metadata: {name: %s}
                        spec:
                          resources: {limits: {cpu: "1", memory: 256Mi}}
                          disk: {image: /var/lib/berth/images/none.qcow2, size: 1Gi}
                        """.formatted(name));
        assertThat(r.errors()).isEmpty();
        return r.workloads().getFirst();
    }

    /** A Berth domain whose recorded spec does not parse. */
    static Observed unreadable(Workload w) {
        long mem = w.resources().limits().memoryBytes();
        return new Observed(w.name(), w.kind(), "id", WorkloadState.Running, null, false, DIR, "agent", "hash", null,
                new ObservedLimits(1000, mem, mem, 0, mem), List.of(), null, "metadata.name: required field is missing");
    }

    @Test
    void aVmWhoseRecordCannotBeReadIsLeftAloneAndReportedOnce() {
        Workload w = vm("db");
        Decision d = Decisions.decide(facts("db", w, unreadable(w), false, true, false, null), open);
        assertThat(d).isInstanceOf(Decision.LeftAlone.class);
        Decision.LeftAlone l = (Decision.LeftAlone) d;
        assertThat(l.firstSeen()).isTrue();
        assertThat(l.action().reason()).startsWith("recorded spec of berth-db cannot be read: metadata.name: required"
                + " field is missing; left alone");
        assertThat(open.asked).as("neither admitted nor restarted: nothing is done to it").isEmpty();
        Decision again = Decisions.decide(facts("db", w, unreadable(w), false, true, false,
                status("db", StatusBook.Phase.Unknown, l.action().reason())), open);
        assertThat(((Decision.LeftAlone) again).firstSeen()).as("one event per distinct reason").isFalse();
        assertThat(Decisions.decide(facts("db", w, unreadable(w), false, true, true, null), open))
                .as("detect-only reports it the same way").isInstanceOf(Decision.LeftAlone.class);
    }

    @Test
    void aVmWhoseRecordCannotBeReadIsNeverPrunedButAnAskedDeleteGoesAhead() {
        Workload w = vm("db");
        assertThat(Decisions.decide(facts("db", null, unreadable(w), false, true, false, null), open))
                .as("undeclared: not pruned").isInstanceOf(Decision.LeftAlone.class);
        Decision asked = Decisions.decide(facts("db", null, unreadable(w), true, true, false, null), open);
        assertThat(asked).as("an explicit delete (the disk is kept aside by the runtime)").isInstanceOf(Decision.Act.class);
        assertThat(((Decision.Act) asked).action()).isInstanceOf(Action.Delete.class);
    }

    @Test
    void aSmallerDiskIsRefusedNotActedOn() {
        Workload w = vm("db");
        io.berth.manifest.VmSpec spec = (io.berth.manifest.VmSpec) w.spec();
        Workload smaller = new Workload(w.name(), w.labels(), w.resources(), w.placement(), new io.berth.manifest.VmSpec(
                spec.hypervisor(), new io.berth.manifest.VmSpec.Disk(spec.disk().image(), 512L << 20), spec.kernel(),
                spec.cloudInit(), spec.network()), w.origin());
        Decision d = Decisions.decide(facts("db", smaller, observed(w, DIR, WorkloadState.Running, null), false, true,
                false, null), open);
        assertThat(d).isInstanceOf(Decision.LeftAlone.class);
        assertThat(((Decision.LeftAlone) d).action().error()).isNotNull();
        assertThat(open.asked).isEmpty();
    }
}
