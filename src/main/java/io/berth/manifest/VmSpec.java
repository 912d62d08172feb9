package io.berth.manifest;

/**
 * A virtual machine's spec, normalised. kernel and cloudInit are null when absent.
 */
public record VmSpec(Hypervisor hypervisor, Disk disk, Kernel kernel, CloudInit cloudInit, Network network)
        implements WorkloadSpec {

    public enum Hypervisor { auto, kvm, qemu }

    public enum NetworkType { user, network, bridge }

    /**
     * The boot disk's base: a host path ({@code image}) or a URL with its digest ({@code url}),
     * exactly one of them non-null. size in bytes, 0 = the base image's own size.
     */
    public record Disk(String image, ImageUrl url, long sizeBytes) {

        /** A disk on a base image at a host path. */
        public Disk(String image, long sizeBytes) {
            this(image, null, sizeBytes);
        }

        /** Whether the two disks clone the same base: the same path, or the same URL and digest. */
        public boolean sameBase(Disk other) {
            return java.util.Objects.equals(image, other.image) && java.util.Objects.equals(url, other.url);
        }

        public Disk withSize(long bytes) {
            return new Disk(image, url, bytes);
        }

        /** The base as users wrote it: the path, or the URL. */
        public String source() {
            return url == null ? image : url.url();
        }
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
