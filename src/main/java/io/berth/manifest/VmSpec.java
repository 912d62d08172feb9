package io.berth.manifest;

/**
 * A virtual machine's spec, normalised. kernel and cloudInit are null when absent.
 */
public record VmSpec(Hypervisor hypervisor, Disk disk, Kernel kernel, CloudInit cloudInit, Network network)
        implements WorkloadSpec {

    public enum Hypervisor { auto, kvm, qemu }

    public enum NetworkType { user, network, bridge }

    /** size in bytes, 0 = the base image's own size. */
    public record Disk(String image, long sizeBytes) {
    }

    /** initrd and cmdline may be null. */
    public record Kernel(String path, String initrd, String cmdline) {
    }

    public record CloudInit(String userData) {
    }

    /** source is the libvirt network or bridge name; null for type user. */
    public record Network(NetworkType type, String source) {
    }
}
