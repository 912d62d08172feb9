package io.berth.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HostReaderTest {

    @TempDir
    Path root;

    @Test
    void usageIsTheBusyShareOfProcStatDeltasTimesTheOnlineCpus() throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc"));
        Path cpu = Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        Files.writeString(cpu.resolve("online"), "0-1\n");
        Files.writeString(proc.resolve("meminfo"), CgroupFixtures.text("proc/meminfo"));
        Files.writeString(proc.resolve("stat"), CgroupFixtures.text("proc/stat-1"));
        HostReader host = new HostReader(proc, root.resolve("sys"));
        FileReads files = new FileReads(4096);

        HostReader.Reading first = host.read(files);
        assertThat(first.capacityCores()).isEqualTo(2.0);
        assertThat(first.usageCores()).as("no delta yet").isZero();
        assertThat(first.capacityBytes()).isEqualTo(24596444L * 1024);
        assertThat(first.usageBytes()).as("MemTotal - MemAvailable").isEqualTo((24596444L - 22000000L) * 1024);

        Files.writeString(proc.resolve("stat"), CgroupFixtures.text("proc/stat-2"));
        // +100 user +50 system +140 idle +10 iowait: 150 of 300 ticks busy, on 2 CPUs
        assertThat(host.read(files).usageCores()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void cpuListsCountRangesAndSingles() {
        assertThat(io.berth.util.Hosts.countCpuList("0-3,8-11")).isEqualTo(8);
        assertThat(io.berth.util.Hosts.countCpuList("0")).isEqualTo(1);
        assertThat(io.berth.util.Hosts.countCpuList("0,2,4-5")).isEqualTo(4);
    }
}
