package io.berth.runtime.libvirt;

/**
 * Memory a QEMU process needs beyond the guest's RAM: device emulation, page tables, I/O buffers,
 * and for TCG its translation cache. A memtune hard limit equal to guest memory gets QEMU
 * OOM-killed (Nomad #27392), so the hard limit is guest memory plus this headroom, and admission
 * counts it too.
 */
public final class VmOverhead {

    /** TCG's translation cache; Berth pins it (QEMU's default is 1 GiB) so the headroom is bounded. */
    public static final long TCG_CACHE_BYTES = 64L << 20;
    static final long BASE_BYTES = 160L << 20;

    private VmOverhead() {
    }

    /** Headroom for a guest of {@code memoryBytes}: 160 MiB + 5 % of guest memory (+ the TCG cache). */
    public static long bytes(long memoryBytes, boolean tcg) {
        return BASE_BYTES + memoryBytes / 20 + (tcg ? TCG_CACHE_BYTES : 0);
    }
}
