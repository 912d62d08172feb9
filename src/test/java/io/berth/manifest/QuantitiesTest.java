package io.berth.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {

    @ParameterizedTest
    @CsvSource({"2, 2000", "0.25, 250", "250m, 250", "0.5, 500", ".5, 500", "1.5, 1500", "2.000, 2000", "1m, 1",
            "0.001, 1", "10000, 10000000", "10000000m, 10000000"})
    void parsesCpu(String text, long millis) {
        assertThat(Quantities.parseCpu(text)).isEqualTo(millis);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "half | is not a CPU quantity (valid: cores like \"2\", \"0.25\", or millicores like \"250m\")",
            "-1 | is negative",
            "-250m | is negative",
            "0 | is zero",
            "0m | is zero",
            "0.0 | is zero",
            "0.0005 | is finer than 1m",
            "1.5m | is not a CPU quantity",
            "10001 | is more than 10000 cores",
            "99999999999999999999 | is more than 10000 cores",
            "1e3 | is not a CPU quantity",
            "2 cores | is not a CPU quantity",
            "250M | is not a CPU quantity",
            "1. | is not a CPU quantity",
            "'' | is not a CPU quantity"})
    void rejectsBadCpu(String text, String message) {
        assertThatThrownBy(() -> Quantities.parseCpu(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"" + text + "\"")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({"256Mi, 268435456", "1Gi, 1073741824", "1Ki, 1024", "2Ti, 2199023255552", "1K, 1000", "1k, 1000",
            "1M, 1000000", "1G, 1000000000", "1T, 1000000000000", "1048576, 1048576", "1.5Gi, 1610612736",
            "0.5Ki, 512", "1024Ti, 1125899906842624"})
    void parsesMemory(String text, long bytes) {
        assertThat(Quantities.parseMemory(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 | is zero",
            "0Mi | is zero",
            "-1Gi | is negative",
            "1.5 | is not a whole number of bytes",
            "0.3Ki | is not a whole number of bytes",
            "1025Ti | is more than 1024Ti",
            "9999999999999999999999 | is more than 1024Ti",
            "256MB | did you mean \"256Mi\" or \"256M\"?",
            "1gi | did you mean \"1Gi\" or \"1G\"?",
            "128m | \"m\" means thousandths; did you mean \"128Mi\"?",
            "1Pi | is not a memory quantity",
            "lots | is not a memory quantity",
            "1 Gi | is not a memory quantity"})
    void rejectsBadMemory(String text, String message) {
        assertThatThrownBy(() -> Quantities.parseMemory(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"" + text + "\"")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({"10s, 10000", "500ms, 500", "1m, 60000", "1h, 3600000", "1m30s, 90000", "1h2m3s4ms, 3723004",
            "1s500ms, 1500", "90s, 90000"})
    void parsesDurations(String text, long millis) {
        assertThat(Quantities.parseDuration(text)).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "0s", "0ms", "-5s", "1.5s", "5 s", "s", "1d", "30s1m", "1m1m", "ms", "",
            "999999999999h"})
    void rejectsBadDurations(String text) {
        assertThatThrownBy(() -> Quantities.parseDuration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"" + text + "\"");
    }

    @Test
    void aBareNumberIsToldToAddAUnit() {
        assertThatThrownBy(() -> Quantities.parseDuration("10")).hasMessageContaining("a unit is required");
    }

    @Test
    void formatsCanonically() {
        assertThat(Quantities.formatCpu(1000)).isEqualTo("1");
        assertThat(Quantities.formatCpu(1500)).isEqualTo("1500m");
        assertThat(Quantities.formatCpu(250)).isEqualTo("250m");
        assertThat(Quantities.formatCpu(16000)).isEqualTo("16");
        assertThat(Quantities.formatMemory(268435456)).isEqualTo("256Mi");
        assertThat(Quantities.formatMemory(1L << 30)).isEqualTo("1Gi");
        assertThat(Quantities.formatMemory(1536L << 20)).isEqualTo("1536Mi");
        assertThat(Quantities.formatMemory(2L << 40)).isEqualTo("2Ti");
        assertThat(Quantities.formatMemory(1000)).isEqualTo("1000");
        assertThat(Quantities.formatMemory(1_000_000_000)).isEqualTo("1000000000");
        assertThat(Quantities.formatMemory(3072)).isEqualTo("3Ki");
        assertThat(Quantities.formatDuration(90_000)).isEqualTo("1m30s");
        assertThat(Quantities.formatDuration(500)).isEqualTo("500ms");
        assertThat(Quantities.formatDuration(3_600_000)).isEqualTo("1h");
        assertThat(Quantities.formatDuration(3_600_500)).isEqualTo("1h500ms");
        assertThat(Quantities.formatDuration(0)).isEqualTo("0s");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 10, 250, 999, 1000, 1001, 1500, 2000, 123456, 10_000_000})
    void cpuRoundTrips(long millis) {
        assertThat(Quantities.parseCpu(Quantities.formatCpu(millis))).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1000, 1023, 1024, 6L << 20, 268435456, 1_000_000_000, (1L << 30) + 1, 3L << 40, 1L << 50})
    void memoryRoundTrips(long bytes) {
        assertThat(Quantities.parseMemory(Quantities.formatMemory(bytes))).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 999, 1000, 1001, 59_999, 60_000, 90_000, 3_600_000, 3_723_004, 86_400_000,
            Quantities.MAX_DURATION_MILLIS})
    void durationRoundTrips(long millis) {
        assertThat(Quantities.parseDuration(Quantities.formatDuration(millis))).isEqualTo(millis);
    }

    @Test
    void equalAmountsSpelledDifferentlyParseEqual() {
        assertThat(Quantities.parseCpu("0.5")).isEqualTo(Quantities.parseCpu("500m"));
        assertThat(Quantities.parseMemory("1Gi")).isEqualTo(Quantities.parseMemory("1073741824"));
        assertThat(Quantities.parseMemory("1G")).isEqualTo(Quantities.parseMemory("1000M"));
        assertThat(Quantities.parseDuration("90s")).isEqualTo(Quantities.parseDuration("1m30s"));
    }
}
