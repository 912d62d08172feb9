package io.berth.runtime.docker;

import io.berth.manifest.Cidr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Allocation of a network's subnet when none is declared: the first /24 of 10.89.0.0/16 that overlaps nothing. */
class SubnetPoolTest {

    @Test
    void takesTheFirstFreeSlashTwentyFourAndSkipsOverlaps() {
        assertThat(SubnetPool.allocate(List.of())).hasToString("10.89.0.0/24");
        assertThat(SubnetPool.allocate(List.of(Cidr.parse("172.17.0.0/16"), Cidr.parse("10.89.0.0/24"),
                Cidr.lenient("10.89.1.7/25")))).hasToString("10.89.2.0/24");
        // A wider network elsewhere that covers the start of the pool pushes past it.
        assertThat(SubnetPool.allocate(List.of(Cidr.parse("10.89.0.0/20")))).hasToString("10.89.16.0/24");
    }

    @Test
    void saysWhenThePoolIsFull() {
        assertThat(SubnetPool.allocate(List.of(Cidr.parse("10.0.0.0/8")))).isNull();
        List<Cidr> all = new ArrayList<>();
        for (int i = 0; i < 255; i++) {
            all.add(Cidr.parse("10.89." + i + ".0/24"));
        }
        assertThat(SubnetPool.allocate(all)).hasToString("10.89.255.0/24");
    }
}
