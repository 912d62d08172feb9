package io.berth.stats;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class CgroupTextTest {

    static long keyed(String text, String key) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return CgroupText.keyed(b, b.length, CgroupText.key(key));
    }

    static long single(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return CgroupText.single(b, b.length);
    }

    @Test
    void keyedMatchesOnlyWholeKeysAtTheStartOfALine() {
        String stat = CgroupFixtures.text("v1/memory.stat");
        assertThat(keyed(stat, "inactive_file")).isEqualTo(811008);
        assertThat(keyed(stat, "total_inactive_file")).isEqualTo(10485760);
        assertThat(keyed(stat, "rss")).isEqualTo(104910848);
        assertThat(keyed(stat, "inactive")).isEqualTo(CgroupText.ABSENT);
        assertThat(keyed(stat, "no_such_key")).isEqualTo(CgroupText.ABSENT);
    }

    @Test
    void keyedReadsMeminfoWithColonsAndUnits() {
        String meminfo = CgroupFixtures.text("proc/meminfo");
        assertThat(keyed(meminfo, "MemTotal")).isEqualTo(24596444);
        assertThat(keyed(meminfo, "MemAvailable")).isEqualTo(22000000);
        assertThat(keyed(meminfo, "Mem")).isEqualTo(CgroupText.ABSENT);
    }

    @Test
    void singleReadsNumbersAndMaxAsUnlimited() {
        assertThat(single("1081226076\n")).isEqualTo(1081226076L);
        assertThat(single("max\n")).isEqualTo(CgroupText.UNLIMITED);
        assertThat(single("")).isEqualTo(CgroupText.ABSENT);
    }

    @Test
    void fieldCountsBlankSeparatedFieldsOfTheFirstLineOnly() {
        byte[] b = "cpu  1000 0 500 8000 100\ncpu0 1 2 3\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(CgroupText.field(b, b.length, 1)).isEqualTo(1000);
        assertThat(CgroupText.field(b, b.length, 4)).isEqualTo(8000);
        assertThat(CgroupText.field(b, b.length, 5)).isEqualTo(100);
        assertThat(CgroupText.field(b, b.length, 6)).isEqualTo(CgroupText.ABSENT);
    }

    @Test
    void procPidStatFieldsCountFromTheLastParenthesisSoOddCommandNamesDoNotShiftThem() {
        byte[] b = "4242 (qemu (x) 1) S 1 4242 4242 0 -1 4194624 95121 0 0 0 1234 567 0 0 20 0 7 0 12345\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(CgroupText.fieldAfterParen(b, b.length, 0)).as("state is not a number").isEqualTo(CgroupText.ABSENT);
        assertThat(CgroupText.fieldAfterParen(b, b.length, 11)).as("utime").isEqualTo(1234);
        assertThat(CgroupText.fieldAfterParen(b, b.length, 12)).as("stime").isEqualTo(567);
    }
}
