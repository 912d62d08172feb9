package io.berth.runtime.docker;

import io.berth.manifest.Cidr;

import java.util.List;

/**
 * Where a network without a declared subnet gets one: the first /24 of {@value #POOL} that overlaps
 * no subnet the engine already has (Docker's own default pools are 172.17-31.0.0/16 and
 * 192.168.0.0/16, so this range stays clear of them; Podman's default is 10.88.0.0/16). Pure.
 */
final class SubnetPool {

    static final String POOL = "10.89.0.0/16";
    static final int PREFIX = 24;

    private SubnetPool() {
    }

    /** The first free /24, or null when all 256 overlap something. */
    static Cidr allocate(List<Cidr> used) {
        Cidr pool = Cidr.parse(POOL);
        long step = 1L << (32 - PREFIX);
        for (long base = pool.base(); base < pool.base() + pool.size(); base += step) {
            Cidr candidate = new Cidr(base, PREFIX);
            if (used.stream().noneMatch(candidate::overlaps)) {
                return candidate;
            }
        }
        return null;
    }
}
