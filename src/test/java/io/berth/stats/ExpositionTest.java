package io.berth.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The exposition filter on a plain registry: quotes out of HELP, a HELP for every meter, the denied names gone. */
class ExpositionTest {

    @Test
    void rewritesQuotesFillsMissingHelpAndDeniesTheNamesLintRejects() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        r.config().meterFilter(Exposition.filter());
        Exposition.processCpu().bindTo(r);
        Gauge.builder("system.cpu.usage", () -> 0.5).description("The \"recent cpu usage\" of the system").register(r);
        Gauge.builder("netty.allocator.memory.used", () -> 1).register(r);
        Gauge.builder("some.library.meter", () -> 1).register(r);
        Gauge.builder("system.cpu.count", () -> 2).description("The number of processors").register(r);
        Counter.builder("process.cpu.time").baseUnit("ns").register(r);

        assertThat(r.get("system.cpu.usage").meter().getId().getDescription()).isEqualTo("The 'recent cpu usage' of the system");
        assertThat(r.get("netty.allocator.memory.used").meter().getId().getDescription()).isEqualTo("Memory Netty's buffer allocator holds");
        assertThat(r.get("some.library.meter").meter().getId().getDescription()).contains("some.library.meter");
        assertThat(r.find("system.cpu.count").meters()).isEmpty();
        assertThat(r.find("process.cpu.time").meters()).isEmpty();
        assertThat(r.get("process.cpu").functionCounter().count()).isPositive();
    }
}
