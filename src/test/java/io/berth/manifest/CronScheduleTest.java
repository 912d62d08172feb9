package io.berth.manifest;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cron schedules for spec.snapshots: the next due minute, in UTC, and what is refused. */
class CronScheduleTest {

    static Instant at(String iso) {
        return Instant.parse(iso);
    }

    static Instant next(String schedule, String after) {
        return CronSchedule.parse(schedule).next(at(after));
    }

    @Test
    void macrosAreTheirFiveFields() {
        assertThat(next("@hourly", "2026-12-02T10:15:30Z")).isEqualTo(at("2026-12-02T11:00:00Z"));
        assertThat(next("@hourly", "2026-12-02T10:00:00Z")).as("strictly after").isEqualTo(at("2026-12-02T11:00:00Z"));
        assertThat(next("@daily", "2026-12-31T23:59:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(next("@weekly", "2026-12-02T10:00:00Z")).as("Sunday").isEqualTo(at("2026-12-06T00:00:00Z"));
        assertThat(next("@monthly", "2026-12-02T10:00:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(next("@yearly", "2026-12-02T10:00:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
    }

    @Test
    void rangesStepsListsAndNames() {
        // Friday 17:50 → Monday 09:00 (working hours, every 15 minutes).
        assertThat(next("*/15 9-17 * * mon-fri", "2026-12-04T17:50:00Z")).isEqualTo(at("2026-12-07T09:00:00Z"));
        assertThat(next("*/15 9-17 * * mon-fri", "2026-12-04T17:44:00Z")).isEqualTo(at("2026-12-04T17:45:00Z"));
        assertThat(next("5/15 * * * *", "2026-12-02T10:21:00Z")).isEqualTo(at("2026-12-02T10:35:00Z"));
        assertThat(next("0 2,14 * * *", "2026-12-02T03:00:00Z")).isEqualTo(at("2026-12-02T14:00:00Z"));
        assertThat(next("0 0 1 jan,jul *", "2026-12-02T03:00:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(next("30 4 * * 7", "2026-12-02T00:00:00Z")).as("7 is Sunday").isEqualTo(at("2026-12-06T04:30:00Z"));
        assertThat(next("30 4 * * 0", "2026-12-02T00:00:00Z")).isEqualTo(at("2026-12-06T04:30:00Z"));
    }

    @Test
    void bothDayFieldsRestrictedMeansEitherAsInCron() {
        // The 15th or any Monday: from Wednesday 2 December 2026, Monday the 7th comes first.
        assertThat(next("0 0 15 * mon", "2026-12-02T00:00:00Z")).isEqualTo(at("2026-12-07T00:00:00Z"));
        assertThat(next("0 0 15 * mon", "2026-12-08T00:00:00Z")).isEqualTo(at("2026-12-14T00:00:00Z"));
        assertThat(next("0 0 15 * mon", "2026-12-14T00:00:00Z")).isEqualTo(at("2026-12-15T00:00:00Z"));
    }

    @Test
    void leapDaysAreFound() {
        assertThat(next("0 0 29 2 *", "2026-12-02T00:00:00Z")).isEqualTo(at("2028-02-29T00:00:00Z"));
    }

    @Test
    void whatIsRefusedSaysWhatIsValid() {
        assertThatThrownBy(() -> CronSchedule.parse("0 0 31 2 *")).hasMessageContaining("is never due");
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *"))
                .hasMessageContaining("the minute \"61\" is not a number from 0 to 59").hasMessageContaining(CronSchedule.VALID);
        assertThatThrownBy(() -> CronSchedule.parse("* * *")).hasMessageContaining("has 3 fields, not 5");
        assertThatThrownBy(() -> CronSchedule.parse("@often")).hasMessageContaining("not a schedule Berth knows");
        assertThatThrownBy(() -> CronSchedule.parse("0 5-3 * * *")).hasMessageContaining("goes backwards");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * foo *")).hasMessageContaining("or a name like jan");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessageContaining("minute step");
    }
}
