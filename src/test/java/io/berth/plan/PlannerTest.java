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
    static final PlanOptions NO_PRUNE = new PlanOptions(false, Set.of(SOURCE));

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
                new PlanOptions(true, Set.of(SOURCE))));
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

        assertThat(Planner.decide(web, observed(web, WorkloadState.Exited, 137, limitsOf(web))))
                .isInstanceOf(Action.Start.class);
        assertThat(Planner.decide(worker, observed(worker, WorkloadState.Exited, 0, limitsOf(worker))))
                .isInstanceOf(Action.Unchanged.class);
        assertThat(Planner.decide(worker, observed(worker, WorkloadState.Exited, 1, limitsOf(worker))))
                .isInstanceOf(Action.Start.class);
        assertThat(Planner.decide(worker, observed(worker, WorkloadState.Created, null, limitsOf(worker))))
                .isInstanceOf(Action.Start.class).extracting(Action::reason).asString().contains("interrupted");
    }

    @Test
    void limitChangeOnAStoppedContainerUpdatesThenStarts() {
        List<Workload> edited = load("memory-changed.yaml");
        Workload applied = load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        Workload web = edited.stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        Action a = Planner.decide(web, observed(applied, WorkloadState.Exited, 1, limitsOf(applied)));
        assertThat(a).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(((Action.UpdateInPlace) a).startAfter()).isTrue();
    }

    @Test
    void unreadableRecordOrDeadObjectOrKindChangeRecreates() {
        Workload web = load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst().orElseThrow();
        Workload vm = load("base.yaml").stream().filter(w -> w.name().equals("vm")).findFirst().orElseThrow();
        Observed noRecord = new Observed("web", Kind.Container, "id", WorkloadState.Running, null, false, SOURCE,
                "host-a", null, null, limitsOf(web), List.of());
        assertThat(Planner.decide(web, noRecord)).isInstanceOf(Action.Recreate.class);
        assertThat(Planner.decide(web, observed(web, WorkloadState.Dead, null, limitsOf(web))))
                .isInstanceOf(Action.Recreate.class);
        Observed vmNamedWeb = new Observed("web", Kind.VirtualMachine, "id", WorkloadState.Running, null, false,
                SOURCE, "host-a", "h", vm, limitsOf(vm), List.of());
        assertThat(Planner.decide(web, vmNamedWeb)).isInstanceOf(Action.Recreate.class)
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
        Action down = Planner.decide(smaller, running(vm));
        assertThat(down).isInstanceOf(Action.UpdateInPlace.class);
        assertThat(down.changesList()).singleElement().satisfies(c -> assertThat(c.why()).contains("balloon"));
        Action up = Planner.decide(larger, running(vm));
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
        Action a = Planner.decide(vmWithDisk("/var/lib/berth/images/base.qcow2", "2Gi"), running(baseVm()));
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
        Action a = Planner.decide(smaller, running(baseVm()));
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
        assertThat(Planner.decide(vmWithDisk("/var/lib/berth/images/base.qcow2", "null"), running(baseVm())))
                .isInstanceOf(Action.Refused.class).extracting(Action::reason).asString()
                .contains("to the base image's size");
    }

    @Test
    void aRecreateKeepsTheDiskUnlessTheImageChangedAndThenKeepsTheOldOneAside() {
        Workload vm = baseVm();
        Workload moreVcpus = vm.withResources(new io.berth.manifest.Resources(
                new io.berth.manifest.Limits(2500, 512L << 20), new io.berth.manifest.Limits(2500, 512L << 20), 0));
        Action keep = Planner.decide(moreVcpus, running(vm));
        assertThat(keep).isInstanceOf(Action.Recreate.class);
        assertThat(((Action.Recreate) keep).keepData()).isTrue();
        assertThat(keep.reason()).endsWith("; its disk is kept");

        Action grownAndRecreated = Planner.decide(vmWithDisk("/var/lib/berth/images/base.qcow2", "2Gi")
                .withResources(moreVcpus.resources()), running(vm));
        assertThat(((Action.Recreate) grownAndRecreated).keepData()).as("a larger disk is kept, and grown").isTrue();

        Action replaced = Planner.decide(vmWithDisk("/var/lib/berth/images/other.qcow2", "512Mi"), running(vm));
        assertThat(replaced).as("a new image replaces the disk: a smaller size is no shrink of the kept one")
                .isInstanceOf(Action.Recreate.class);
        assertThat(((Action.Recreate) replaced).keepData()).isFalse();
        assertThat(replaced.reason()).contains("its disk is replaced by a new clone of /var/lib/berth/images/other.qcow2")
                .contains("the old disk is kept aside under STATE/deleted/vm/").contains("agent restore vm --deleted");
        assertThat(replaced.changesList()).extracting(FieldChange::field)
                .containsExactly("spec.disk.image", "spec.disk.size");
    }

    @Test
    void aVmWhoseRecordCannotBeReadIsLeftAloneNeverRecreatedOrPruned() {
        Workload vm = baseVm();
        Observed unreadable = new Observed("vm", Kind.VirtualMachine, "id", WorkloadState.Running, null, false, SOURCE,
                "host-a", "h", null, limitsOf(vm), List.of(), null, "spec.resources: required field is missing");
        Action a = Planner.decide(vm, unreadable);
        assertThat(a).isInstanceOf(Action.Refused.class);
        assertThat(((Action.Refused) a).error()).as("not the manifest's fault: the plan goes on").isNull();
        assertThat(a.reason()).startsWith("recorded spec of berth-vm cannot be read: spec.resources: required field"
                + " is missing; left alone");
        Plan pruned = Planner.plan(List.of(), List.of(unreadable), new PlanOptions(true, Set.of(SOURCE)));
        assertThat(pruned.actions()).singleElement().isInstanceOf(Action.Refused.class);
        assertThat(pruned.hasChanges()).isFalse();
        assertThat(Planner.decide(load("base.yaml").stream().filter(w -> w.name().equals("web")).findFirst()
                .orElseThrow(), unreadable)).as("not even to change its kind").isInstanceOf(Action.Refused.class);
    }

    @Test
    void aPrunedVmKeepsItsDiskAside() {
        Plan p = Planner.plan(List.of(), List.of(running(baseVm())), new PlanOptions(true, Set.of(SOURCE)));
        assertThat(p.actions()).singleElement().isInstanceOf(Action.Delete.class).extracting(Action::reason)
                .asString().contains("its disk is kept aside under STATE/deleted/vm/ for berth.retention.deleted");
    }
}
