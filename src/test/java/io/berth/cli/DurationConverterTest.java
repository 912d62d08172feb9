package io.berth.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest {

    @Test
    void readsDurationsAsPeopleTypeThem() {
        assertThat(DurationConverter.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse(" 2M ")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void refusesAnythingElseSayingWhatWouldDo() {
        for (String bad : new String[] {"", "m", "5 m", "5x", "1.5m", "-5s", "5s!", "PT5M"}) {
            assertThatThrownBy(() -> DurationConverter.parse(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("is not a duration (write e.g. 90s, 5m, 1h, 1m30s)");
        }
    }

    @Test
    void writesThemBackShort() {
        assertThat(DurationConverter.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(DurationConverter.format(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
        assertThat(DurationConverter.format(Duration.ofMillis(250))).isEqualTo("250ms");
    }
}
