package io.berth.runtime.docker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The version Berth speaks, from what an engine's /version says. */
class ApiVersionsTest {

    @Test
    void theEnginesNewestCappedAtBerthsNewestNeverBelowTheEnginesOldest() {
        assertThat(ApiVersions.choose("1.41", "1.12").version()).as("Docker 20.10").isEqualTo("1.41");
        assertThat(ApiVersions.choose("1.41", "1.24").version()).as("Podman 4").isEqualTo("1.41");
        assertThat(ApiVersions.choose("1.47", "1.24").version()).as("Docker 27").isEqualTo("1.47");
        assertThat(ApiVersions.choose("1.52", "1.44").version()).as("Docker 29").isEqualTo("1.52");
        assertThat(ApiVersions.choose("1.56", "1.44").version()).as("newer than Berth knows").isEqualTo("1.52");
        assertThat(ApiVersions.choose("1.56", "1.44").warnings()).isEmpty();
    }

    @Test
    void outsideWhatBerthWasCheckedAgainstItSaysSo() {
        ApiVersions.Choice future = ApiVersions.choose("1.60", "1.53");
        assertThat(future.version()).as("the engine refuses anything older").isEqualTo("1.53");
        assertThat(future.warnings()).singleElement().asString().contains("1.53", "1.52");

        ApiVersions.Choice old = ApiVersions.choose("1.40", "1.12");
        assertThat(old.version()).isEqualTo("1.40");
        assertThat(old.warnings()).singleElement().asString().contains("older than Berth supports");

        assertThat(ApiVersions.choose(null, null).version()).isEqualTo(ApiVersions.NEWEST);
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(ApiVersions.compare("1.9", "1.41")).isNegative();
        assertThat(ApiVersions.compare("1.52", "1.52")).isZero();
        assertThat(ApiVersions.compare("2.0", "1.99")).isPositive();
    }
}
