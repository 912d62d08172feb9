package io.berth.plan;

import io.berth.manifest.Kind;
import io.berth.manifest.ManifestLoader;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.ObservedLimits;
import io.berth.runtime.WorkloadState;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pure planner tests from fixture files: {@code plan/base.yaml} is what runs (recorded spec and
 * enforced limits), each other fixture is an edited manifest set.
 */
class PlannerTest {

    static final String SOURCE = "/etc/berth/manifests";
    static final io.berth.manifest.Redaction REDACTION = io.berth.manifest.Redaction.ephemeral();
    static final PlanOptions NO_PRUNE = new PlanOptions(false, Set.of(SOURCE), REDACTION);

    static List<Workload> load(String fixture) {
        try {
            Path p = Path.of(Objects.requireNonNull(PlannerTest.class.getResource("/plan/" + fixture)).toURI());
            ManifestLoader.LoadResult r = new ManifestLoader().load(List.of(p.toString()));
            assertThat(r.errors()).as("fixture %s must be valid", fixture).isEmpty();
            return r.workloads();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a runtime would report for workloads created from {@code applied}, running, limits as recorded. */
    static Observed running(Workload applied) {
        return observed(applied, WorkloadState.Running, null, limitsOf(applied));
    }

    static Observed observed(Workload applied, WorkloadState state, Integer exit, ObservedLimits limits) {
        return new Observed(applied.name(), applied.kind(), "id-" + applied.name(), state, exit, false, SOURCE,
                "host-a", "hash", applied, limits, List.of());
    }

    static ObservedLimits limitsOf(Workload w) {
        long mem = w.resources().limits().memoryBytes();
        return new ObservedLimits(w.resources().limits().cpuMillis(), mem, mem, w.resources().pids(),
                w.kind() == Kind.VirtualMachine ? mem : 0);
    }

    static List<Observed> runningBase() {
        return load("base.yaml").stream().map(PlannerTest::running).toList();
    }

    static Map<String, Action> byName(Plan plan) {
        return plan.actions().stream().collect(Collectors.toMap(Action::name, Function.identity()));
    }

    @Test
    void nothingObservedCreatesEverything() {
        Plan plan = Planner.plan(load("base.yaml"), List.of(), NO_PRUNE);
        assertThat(plan.actions()).extracting(Action::verb).containsOnly("create");
        assertThat(plan.actions()).extracting(Action::name).containsExactly("vm", "web", "worker");
        assertThat(plan.hasChanges()).isTrue();
    }

    @Test
    void sameManifestsPlanNoChanges() {
        Plan plan = Planner.plan(load("base.yaml"), runningBase(), NO_PRUNE);
        assertThat(plan.actions()).extracting(Action::verb).containsOnly("unchanged");
        assertThat(plan.hasChanges()).isFalse();
    }

    @Test
    void otherSpellingsAndExplicitDefaultsAreNotChanges() {
        Plan plan = Planner.plan(load("spelling.yaml"), runningBase(), NO_PRUNE);
        assertThat(plan.actions()).allSatisfy(a -> assertThat(a.changesList()).as(a.name()).isEmpty());
        assertThat(plan.hasChanges()).isFalse();
    }

    @Test
    void memoryLimitChangeIsOneInPlaceField() {
        Map<String, Action> plan = byName(Planner.plan(load("memory-changed.yaml"), runningBase(), NO_PRUNE));
        assertThat(plan.get("web")).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(plan.get("web").changesList()).containsExactly(new FieldChange("spec.resources.limits.memory",
                "256Mi", "512Mi", true, ChangePolicy.inPlaceReason(Kind.Container)));
        assertThat(((Action.UpdateInPlace) plan.get("web")).startAfter()).isFalse();
        assertThat(plan.get("worker").hasEffect()).isFalse();
        assertThat(plan.get("vm").hasEffect()).isFalse();
    }

    @Test
    void imageChangeRecreatesOnlyThatWorkload() {
        Map<String, Action> plan = byName(Planner.plan(load("image-changed.yaml"), runningBase(), NO_PRUNE));
        assertThat(plan.get("web")).isInstanceOf(Action.Recreate.class);
        assertThat(plan.get("web").changesList()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("spec.image");
            assertThat(c.from()).isEqualTo("berth/busybox:1");
            assertThat(c.to()).isEqualTo("berth/busybox:2");
            assertThat(c.inPlace()).isFalse();
        });
        assertThat(plan.get("worker").hasEffect()).isFalse();
    }

    @Test
    void argsChangeRecreatesWithOldAndNewValues() {
        Map<String, Action> plan = byName(Planner.plan(load("args-changed.yaml"), runningBase(), NO_PRUNE));
        assertThat(plan.get("web")).isInstanceOf(Action.Recreate.class);
        assertThat(plan.get("web").changesList()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("spec.args");
            assertThat(c.from()).isEqualTo("[-f, -p, 8080]");
            assertThat(c.to()).isEqualTo("[-f, -p, 9090]");
        });
    }

    @Test
    void limitChangedByHandIsDriftRepairedInPlace() {
        List<Observed> observed = runningBase().stream().map(o -> !o.name().equals("worker") ? o
                : observed(o.applied(), WorkloadState.Running, null, new ObservedLimits(250, 32L << 20, 32L << 20, 4096, 0)))
                .toList();
        Map<String, Action> plan = byName(Planner.plan(load("base.yaml"), observed, NO_PRUNE));
        assertThat(plan.get("worker")).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(plan.get("worker").changesList()).extracting(FieldChange::field, FieldChange::from, FieldChange::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("spec.resources.limits.memory", "32Mi", "64Mi"));
    }

    @Test
    void limitChangeOnARuntimeWhoseLimitsDoNotLastIsARecreateThatSaysWhy() {
        String fixedBy = "Podman 4.3.1 cannot change limits in place for good";
        List<Observed> observed = runningBase().stream().map(o -> !o.name().equals("worker") ? o
                : observed(o.applied(), WorkloadState.Running, null,
                        new ObservedLimits(250, 32L << 20, 32L << 20, 4096, 0, fixedBy)))
                .toList();
        Action worker = byName(Planner.plan(load("base.yaml"), observed, NO_PRUNE)).get("worker");
        assertThat(worker).isInstanceOf(Action.Recreate.class);
        assertThat(worker.reason()).contains("spec.resources.limits.memory cannot change in place");
        assertThat(worker.changesList()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("spec.resources.limits.memory");
            assertThat(c.inPlace()).isFalse();
            assertThat(c.why()).isEqualTo(fixedBy);
        });
        // The same limits on that runtime: nothing to do.
        List<Observed> same = runningBase().stream().map(o -> observed(o.applied(), WorkloadState.Running, null,
                new ObservedLimits(limitsOf(o.applied()).cpuMillis(), limitsOf(o.applied()).memoryBytes(),
                        limitsOf(o.applied()).memorySwapBytes(), limitsOf(o.applied()).pids(),
                        limitsOf(o.applied()).memoryMaxBytes(), o.kind() == Kind.Container ? fixedBy : null))).toList();
        assertThat(Planner.plan(load("base.yaml"), same, NO_PRUNE).actions()).noneMatch(Action::hasEffect);
    }

    @Test
    void aSnapshotScheduleAddedOrChangedIsNoChangeOfTheVm() {
        Plan plan = Planner.plan(load("vm-schedule-added.yaml"), runningBase(), NO_PRUNE);
        assertThat(plan.actions()).noneMatch(Action::hasEffect);
        List<Observed> scheduled = load("vm-schedule-added.yaml").stream().map(PlannerTest::running).toList();
        assertThat(Planner.plan(load("base.yaml"), scheduled, NO_PRUNE).actions()).as("removed again").noneMatch(Action::hasEffect);
    }

    @Test
    void swapAboveMemoryIsRepairedSoTheLimitStaysHard() {
        List<Observed> observed = runningBase().stream().map(o -> !o.name().equals("worker") ? o
                : observed(o.applied(), WorkloadState.Running, null, new ObservedLimits(250, 64L << 20, 128L << 20, 4096, 0)))
                .toList();
        Action worker = byName(Planner.plan(load("base.yaml"), observed, NO_PRUNE)).get("worker");
        assertThat(worker).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(worker.changesList()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("spec.resources.limits.memory (swap)");
            assertThat(c.inPlace()).isTrue();
        });
    }

    @Test
    void pruneDeletesOnlyUndeclaredWorkloadsOfTheSameSource() {
        List<Observed> observed = new java.util.ArrayList<>(runningBase());
        Workload other = load("base.yaml").get(0);
        observed.add(new Observed("elsewhere", Kind.Container, "id-x", WorkloadState.Running, null, false,
                "/other/source", "host-a", "hash", other, limitsOf(other), List.of()));

        Map<String, Action> pruned = byName(Planner.plan(load("worker-removed.yaml"), observed,
                new PlanOptions(true, Set.of(SOURCE), REDACTION)));
        assertThat(pruned.get("worker")).isInstanceOf(Action.Delete.class);
        assertThat(pruned).doesNotContainKey("elsewhere");
        assertThat(pruned.values()).filteredOn(Action::hasEffect).extracting(Action::name).containsExactly("worker");

        Map<String, Action> notPruned = byName(Planner.plan(load("worker-removed.yaml"), observed, NO_PRUNE));
        assertThat(notPruned).doesNotContainKeys("worker", "elsewhere");
    }

    @Test
    void stoppedWorkloadsStartAccordingToRestartPolicy() {
        List<Workload> base = load("base.yaml");
        Workload web = base.stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();       // Always
        Workload worker = base.stream().filter(w -> w.name().equals("worker")).findFirst().orElseThrow(); // OnFailure

        assertThat(Planner.decide(web, observed(web, WorkloadState.Exited, 137, limitsOf(web)), REDACTION))
                .isInstanceOf(Action.Start.class);
        assertThat(Planner.decide(worker, observed(worker, WorkloadState.Exited, 0, limitsOf(worker)), REDACTION))
                .isInstanceOf(Action.Unchanged.class);
        assertThat(Planner.decide(worker, observed(worker, WorkloadState.Exited, 1, limitsOf(worker)), REDACTION))
                .isInstanceOf(Action.Start.class);
        assertThat(Planner.decide(worker, observed(worker, WorkloadState.Created, null, limitsOf(worker)), REDACTION))
                .isInstanceOf(Action.Start.class).extracting(Action::reason).asString().contains("interrupted");
    }

    @Test
    void limitChangeOnAStoppedContainerUpdatesThenStarts() {
        List<Workload> edited = load("memory-changed.yaml");
        Workload applied = load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        Workload web = edited.stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        Action a = Planner.decide(web, observed(applied, WorkloadState.Exited, 1, limitsOf(applied)), REDACTION);
        assertThat(a).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(((Action.UpdateInPlace) a).startAfter()).isTrue();
    }

    @Test
    void unreadableRecordOrDeadObjectOrKindChangeRecreates() {
        Workload web = load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        Workload vm = load("base.yaml").stream().filter(w -> w.name().equals("vm")).findFirst().orElseThrow();
        Observed noRecord = new Observed("web", Kind.Container, "id", WorkloadState.Running, null, false, SOURCE,
                "host-a", null, null, limitsOf(web), List.of());
        assertThat(Planner.decide(web, noRecord, REDACTION)).isInstanceOf(Action.Recreate.class);
        assertThat(Planner.decide(web, observed(web, WorkloadState.Dead, null, limitsOf(web)), REDACTION))
                .isInstanceOf(Action.Recreate.class);
        Observed vmNamedWeb = new Observed("web", Kind.VirtualMachine, "id", WorkloadState.Running, null, false,
                SOURCE, "host-a", "h", vm, limitsOf(vm), List.of());
        assertThat(Planner.decide(web, vmNamedWeb, REDACTION)).isInstanceOf(Action.Recreate.class)
                .extracting(Action::changesList).asList().singleElement()
                .extracting("field").isEqualTo("kind");
    }

    @Test
    void vmCpuChangeIsInPlaceOnlyWhileTheVcpuCountStays() {
        Action same = byName(Planner.plan(load("vm-cpu-same-vcpus.yaml"), runningBase(), NO_PRUNE)).get("vm");
        assertThat(same).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(same.changesList()).singleElement().extracting(FieldChange::from, FieldChange::to)
                .containsExactly("1500m", "1800m");
        Action more = byName(Planner.plan(load("vm-cpu-more-vcpus.yaml"), runningBase(), NO_PRUNE)).get("vm");
        assertThat(more).isInstanceOf(Action.Recreate.class);
    }

    @Test
    void vmMemoryChangeIsInPlaceUpToTheDefinedMaximum() {
        Workload vm = load("base.yaml").stream().filter(w -> w.name().equals("vm")).findFirst().orElseThrow();
        Workload smaller = vm.withResources(new io.berth.manifest.Resources(
                new io.berth.manifest.Limits(1500, 256L << 20), new io.berth.manifest.Limits(1500, 256L << 20), 0));
        Workload larger = vm.withResources(new io.berth.manifest.Resources(
                new io.berth.manifest.Limits(1500, 1L << 30), new io.berth.manifest.Limits(1500, 1L << 30), 0));
        Action down = Planner.decide(smaller, running(vm), REDACTION);
        assertThat(down).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(down.changesList()).singleElement().satisfies(c -> assertThat(c.why()).contains("balloon"));
        Action up = Planner.decide(larger, running(vm), REDACTION);
        assertThat(up).isInstanceOf(Action.Recreate.class);
        assertThat(((Action.Recreate) up).keepData()).as("memory is not the disk").isTrue();
        assertThat(up.reason()).contains("its disk is kept");
    }

    /** The base fixture's vm with another disk (and the disk field's positions from a parse). */
    static Workload vmWithDisk(String image, String size) {
        String yaml = """
                apiVersion: berth.io/v1
                kind: VirtualMachine
                metadata: {name: vm}
                spec:
                  resources:
                    limits: {cpu: "1.5", memory: 512Mi}
                  disk: {image: %s, size: %s}
                """.formatted(image, size);
        io.berth.manifest.ManifestParser.ParseResult r = new io.berth.manifest.ManifestParser(
                new io.berth.manifest.HostPolicy(List.of(Path.of("/var/lib/berth/images"))))
                .parse(Path.of("vm.yaml"), yaml);
        assertThat(r.errors()).isEmpty();
        return r.workloads().getFirst();
    }

    static Workload baseVm() {
        return load("base.yaml").stream().filter(w -> w.name().equals("vm")).findFirst().orElseThrow();
    }

    @Test
    void aLargerDiskGrowsInPlaceAndKeepsTheDomain() {
        Action a = Planner.decide(vmWithDisk("/var/lib/berth/images/base.qcow2", "2Gi"), running(baseVm()), REDACTION);
        assertThat(a).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(a.description()).isEqualTo("update in place");
        assertThat(a.reason()).isEqualTo("its disk grows");
        assertThat(a.changesList()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("spec.disk.size");
            assertThat(c.from()).isEqualTo("1Gi");
            assertThat(c.to()).isEqualTo("2Gi");
            assertThat(c.inPlace()).isTrue();
            assertThat(c.why()).contains("virDomainBlockResize");
        });
    }

    @Test
    void aSmallerDiskIsRefusedAtTheFieldsPositionAndTheWholePlanWithIt() {
        Workload smaller = vmWithDisk("/var/lib/berth/images/base.qcow2", "512Mi");
        Action a = Planner.decide(smaller, running(baseVm()), REDACTION);
        assertThat(a).isInstanceOf(Action.Refused.class);
        assertThat(a.hasEffect()).isFalse();
        io.berth.manifest.ManifestError e = ((Action.Refused) a).error();
        assertThat(e.toString()).isEqualTo("vm.yaml:7:57: spec.disk.size: cannot shrink a disk from 1Gi to 512Mi"
                + " (Berth never discards disk data; valid: 1Gi or more, or a new spec.disk.image, which replaces the"
                + " disk and keeps the old one aside)");
        // plan/apply: nothing of the set is applied, not even the others' changes.
        List<Workload> set = new java.util.ArrayList<>(load("memory-changed.yaml").stream()
                .filter(w -> !w.name().equals("vm")).toList());
        set.add(smaller);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Planner.plan(set, runningBase(), NO_PRUNE))
                .isInstanceOf(io.berth.manifest.ManifestException.class)
                .hasMessage(e.toString());
        // Leaving size out (the base's size) is a shrink too when a size was recorded.
        assertThat(Planner.decide(vmWithDisk("/var/lib/berth/images/base.qcow2", "null"), running(baseVm()), REDACTION))
                .isInstanceOf(Action.Refused.class).extracting(Action::reason).asString()
                .contains("to the base image's size");
    }

    @Test
    void aRecreateKeepsTheDiskUnlessTheImageChangedAndThenKeepsTheOldOneAside() {
        Workload vm = baseVm();
        Workload moreVcpus = vm.withResources(new io.berth.manifest.Resources(
                new io.berth.manifest.Limits(2500, 512L << 20), new io.berth.manifest.Limits(2500, 512L << 20), 0));
        Action keep = Planner.decide(moreVcpus, running(vm), REDACTION);
        assertThat(keep).isInstanceOf(Action.Recreate.class);
        assertThat(((Action.Recreate) keep).keepData()).isTrue();
        assertThat(keep.reason()).endsWith("; its disk is kept");

        Action grownAndRecreated = Planner.decide(vmWithDisk("/var/lib/berth/images/base.qcow2", "2Gi")
                .withResources(moreVcpus.resources()), running(vm), REDACTION);
        assertThat(((Action.Recreate) grownAndRecreated).keepData()).as("a larger disk is kept, and grown").isTrue();

        Action replaced = Planner.decide(vmWithDisk("/var/lib/berth/images/other.qcow2", "512Mi"), running(vm), REDACTION);
        assertThat(replaced).as("a new image replaces the disk: a smaller size is no shrink of the kept one")
                .isInstanceOf(Action.Recreate.class);
        assertThat(((Action.Recreate) replaced).keepData()).isFalse();
        assertThat(replaced.reason()).contains("its disk is replaced by a new clone of /var/lib/berth/images/other.qcow2")
                .contains("the old disk is kept aside under STATE/deleted/vm/").contains("agent restore vm --deleted");
        assertThat(replaced.changesList()).extracting(FieldChange::field)
                .containsExactly("spec.disk.image", "spec.disk.size");
    }

    @Test
    void aBaseImageByUrlIsTheSameImageOnlyWithTheSameUrlAndDigestElseTheOldDiskIsKeptAside() {
        String url = "{url: https://mirror.example.org/base.qcow2, sha256: " + "a".repeat(64) + "}";
        Workload vm = vmWithDisk(url, "1Gi");
        assertThat(Planner.decide(vmWithDisk(url, "1Gi"), running(vm), REDACTION)).isInstanceOf(Action.Unchanged.class);
        assertThat(Planner.decide(vmWithDisk(url, "2Gi"), running(vm), REDACTION)).as("grown in place")
                .isInstanceOf(Action.UpdateInPlace.class);
        for (String other : List.of("{url: https://mirror.example.org/base.qcow2, sha256: " + "b".repeat(64) + "}",
                "{url: https://other.example.org/base.qcow2, sha256: " + "a".repeat(64) + "}", "/var/lib/berth/images/base.qcow2")) {
            Action replaced = Planner.decide(vmWithDisk(other, "1Gi"), running(vm), REDACTION);
            assertThat(replaced).as(other).isInstanceOf(Action.Recreate.class);
            assertThat(((Action.Recreate) replaced).keepData()).as(other).isFalse();
            assertThat(replaced.reason()).as(other).contains("its disk is replaced by a new clone of ")
                    .contains("the old disk is kept aside under STATE/deleted/vm/");
        }
        Action fromUrl = Planner.decide(vmWithDisk("{url: https://other.example.org/b.qcow2, sha256: " + "c".repeat(64) + "}",
                "1Gi"), running(baseVm()), REDACTION);
        assertThat(fromUrl.reason()).contains("a new clone of https://other.example.org/b.qcow2",
                "; download https://other.example.org/b.qcow2 first (unless the image directory has sha256-"
                        + "c".repeat(64) + ".img) and verify its sha256");
        Action create = Planner.decide(vm, null, REDACTION);
        assertThat(create.reason()).isEqualTo("not present on this host; download https://mirror.example.org/base.qcow2"
                + " first (unless the image directory has sha256-" + "a".repeat(64) + ".img) and verify its sha256");
        assertThat(fromUrl.changesList()).extracting(FieldChange::field).contains("spec.disk.image.url", "spec.disk.image.sha256");
    }

    @Test
    void aVmWhoseRecordCannotBeReadIsLeftAloneNeverRecreatedOrPruned() {
        Workload vm = baseVm();
        Observed unreadable = new Observed("vm", Kind.VirtualMachine, "id", WorkloadState.Running, null, false, SOURCE,
                "host-a", "h", null, limitsOf(vm), List.of(), null, "spec.resources: required field is missing");
        Action a = Planner.decide(vm, unreadable, REDACTION);
        assertThat(a).isInstanceOf(Action.Refused.class);
        assertThat(((Action.Refused) a).error()).as("not the manifest's fault: the plan goes on").isNull();
        assertThat(a.reason()).startsWith("recorded spec of berth-vm cannot be read: spec.resources: required field"
                + " is missing; left alone");
        Plan pruned = Planner.plan(List.of(), List.of(unreadable), new PlanOptions(true, Set.of(SOURCE), REDACTION));
        assertThat(pruned.actions()).singleElement().isInstanceOf(Action.Refused.class);
        assertThat(pruned.hasChanges()).isFalse();
        assertThat(Planner.decide(load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst()
                .orElseThrow(), unreadable, REDACTION)).as("not even to change its kind").isInstanceOf(Action.Refused.class);
    }

    @Test
    void aPrunedVmKeepsItsDiskAside() {
        Plan p = Planner.plan(List.of(), List.of(running(baseVm())), new PlanOptions(true, Set.of(SOURCE), REDACTION));
        assertThat(p.actions()).singleElement().isInstanceOf(Action.Delete.class).extracting(Action::reason)
                .asString().contains("its disk is kept aside under STATE/deleted/vm/ for berth.retention.deleted");
    }

    /** The base fixture's worker with these env values (base.yaml has MODE=prod). */
    static Workload worker(List<Workload> ws, io.berth.manifest.ContainerSpec.EnvVar... env) {
        Workload w = ws.stream().filter(x -> x.name().equals("worker")).findFirst().orElseThrow();
        io.berth.manifest.ContainerSpec c = (io.berth.manifest.ContainerSpec) w.spec();
        return new Workload(w.name(), w.labels(), w.resources(), w.placement(), new io.berth.manifest.ContainerSpec(
                c.image(), c.imagePullPolicy(), c.command(), c.args(), List.of(env), c.ports(), c.volumes(),
                c.restartPolicy(), c.healthCheck(), c.securityContext()), w.origin());
    }

    @Test
    void secretsCompareAsDigestsAndPlansNameTheVariableButNeverTheValue() {
        var pw = new io.berth.manifest.ContainerSpec.EnvVar("PASSWORD", "s3cr3t");
        var mode = new io.berth.manifest.ContainerSpec.EnvVar("MODE", "prod");
        Workload desired = worker(load("base.yaml"), mode, pw);
        // Recorded redacted (what Berth writes now) and in clear (what an older Berth wrote): both unchanged.
        assertThat(Planner.decide(desired, running(REDACTION.redact(desired)), REDACTION))
                .isInstanceOf(Action.Unchanged.class);
        assertThat(Planner.decide(desired, running(desired), REDACTION)).isInstanceOf(Action.Unchanged.class);

        Workload changed = worker(load("base.yaml"), mode, new io.berth.manifest.ContainerSpec.EnvVar("PASSWORD", "n3w"));
        for (Workload recorded : List.of(REDACTION.redact(desired), desired)) {
            Action a = Planner.decide(changed, running(recorded), REDACTION);
            assertThat(a).isInstanceOf(Action.Recreate.class);
            assertThat(a.changesList()).singleElement().satisfies(c -> {
                assertThat(c.field()).isEqualTo("spec.env[PASSWORD]");
                assertThat(c.from()).isEqualTo("(secret)");
                assertThat(c.to()).isEqualTo("(changed)");
            });
            assertThat(a.reason()).doesNotContain("s3cr3t", "n3w");
        }

        Workload added = worker(load("base.yaml"), mode, pw, new io.berth.manifest.ContainerSpec.EnvVar("TOKEN", "t0k"));
        Action a = Planner.decide(added, running(REDACTION.redact(desired)), REDACTION);
        assertThat(a.changesList()).extracting(FieldChange::field, FieldChange::from, FieldChange::to).containsExactly(
                org.assertj.core.groups.Tuple.tuple("spec.env", "[MODE, PASSWORD]", "[MODE, PASSWORD, TOKEN]"),
                org.assertj.core.groups.Tuple.tuple("spec.env[TOKEN]", "(none)", "(secret)"));
        Action reordered = Planner.decide(worker(load("base.yaml"), pw, mode), running(REDACTION.redact(desired)), REDACTION);
        assertThat(reordered.changesList()).extracting(FieldChange::field).containsExactly("spec.env");
    }

    @Test
    void userDataComparesAsADigest() {
        Workload vm = load("base.yaml").stream().filter(w -> w.kind() == Kind.VirtualMachine).findFirst().orElseThrow();
        io.berth.manifest.VmSpec v = (io.berth.manifest.VmSpec) vm.spec();
        Workload withData = new Workload(vm.name(), vm.labels(), vm.resources(), vm.placement(), new io.berth.manifest.VmSpec(
                v.hypervisor(), v.disk(), v.kernel(), new io.berth.manifest.VmSpec.CloudInit("#cloud-config\npassword: s3cr3t\n"),
                v.network()), vm.origin());
        assertThat(Planner.decide(withData, running(REDACTION.redact(withData)), REDACTION)).isInstanceOf(Action.Unchanged.class);
        Workload other = new Workload(vm.name(), vm.labels(), vm.resources(), vm.placement(), new io.berth.manifest.VmSpec(
                v.hypervisor(), v.disk(), v.kernel(), new io.berth.manifest.VmSpec.CloudInit("#cloud-config\npassword: x\n"),
                v.network()), vm.origin());
        Action a = Planner.decide(other, running(REDACTION.redact(withData)), REDACTION);
        assertThat(a.changesList()).extracting(FieldChange::field, FieldChange::from, FieldChange::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("spec.cloudInit.userData", "(secret)", "(changed)"));
    }
}
