package io.berth.reconcile;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {

    static final long GI = 1L << 30;

    /** 2 cores, 4 GiB, 0.5 core and 1 GiB reserved: 1.5 cores and 3 GiB allocatable. */
    final Admission admission = new Admission(new Admission.Allocatable(2000, 4 * GI, 500, GI, 1.0, 1.0));

    @Test
    void admitsWhatFitsAndRefusesWhatDoesNotWithTheNumbers() {
        assertThat(admission.admit("a", new Admission.Need(1000, GI)).admitted()).isTrue();
        Admission.Decision b = admission.admit("b", new Admission.Need(1000, GI));
        assertThat(b.admitted()).isFalse();
        assertThat(b.reason()).isEqualTo("does not fit on this host: cpu needs 1, free 500m of allocatable 1500m"
                + " (allocatable = capacity 2 cpu / 4Gi minus reserved 500m / 1Gi)");
        assertThat(admission.admit("c", new Admission.Need(500, 2 * GI)).admitted()).isTrue();
        Admission.Decision d = admission.admit("d", new Admission.Need(0, GI));
        assertThat(d.reason()).contains("memory needs 1Gi, free 0 of allocatable 3Gi").doesNotContain("cpu needs");
    }

    @Test
    void releasingCapacityNamesTheWaitingWorkloads() {
        admission.admit("a", new Admission.Need(1500, GI));
        assertThat(admission.admit("b", new Admission.Need(500, GI)).admitted()).isFalse();
        assertThat(admission.release("a")).containsExactly("b");
        assertThat(admission.admit("b", new Admission.Need(500, GI)).admitted()).isTrue();
        assertThat(admission.release("nobody")).isEmpty();
    }

    @Test
    void aWorkloadsOwnReservationIsReplacedNotAdded() {
        admission.admit("a", new Admission.Need(1000, GI));
        assertThat(admission.admit("a", new Admission.Need(1500, GI)).admitted()).isTrue();
        assertThat(admission.allocated()).isEqualTo(new Admission.Need(1500, GI));
    }

    @Test
    void runningWorkloadsAreCountedEvenOverCapacityAndNeverEvicted() {
        admission.count("old", new Admission.Need(3000, GI));
        assertThat(admission.allocated().cpuMillis()).isEqualTo(3000);
        assertThat(admission.admit("new", new Admission.Need(10, 1)).admitted()).isFalse();
    }

    @Test
    void overcommitMultipliesWhatIsLeftAfterReservations() {
        Admission over = new Admission(new Admission.Allocatable(2000, 4 * GI, 0, 0, 2.0, 1.5));
        assertThat(over.allocatable().cpuMillis()).isEqualTo(4000);
        assertThat(over.allocatable().memoryBytes()).isEqualTo(6 * GI);
        assertThat(over.admit("a", new Admission.Need(4000, 6 * GI)).admitted()).isTrue();
        assertThat(over.admit("b", new Admission.Need(1, 0)).reason()).contains("times overcommit 2.0 / 1.5");
    }
}
