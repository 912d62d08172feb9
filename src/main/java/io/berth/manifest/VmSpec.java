package io.berth.manifest;

/**
 * A virtual machine's spec, normalised. kernel and cloudInit are null when absent.
 */
public record VmSpec(Hypervisor hypervisor, Disk disk, Kernel kernel, CloudInit cloudInit, Network network,
                     SnapshotPolicy snapshots) implements WorkloadSpec {

    /** A VM without scheduled snapshots. */
    public VmSpec(Hypervisor hypervisor, Disk disk, Kernel kernel, CloudInit cloudInit, Network network) {
        this(hypervisor, disk, kernel, cloudInit, network, null);
    }

    /**
     * {@code spec.snapshots}: a snapshot when {@code schedule} is due, the newest {@code keep}
     * scheduled ones kept (manual and automatic ones are never removed by it). A policy the daemon
     * carries out, not a property of the domain: the spec hash and the planner's diff leave it out,
     * so changing it changes nothing on the VM.
     */
    public record SnapshotPolicy(CronSchedule schedule, int keep) {
    }

    public enum Hypervisor { auto, kvm, qemu }

    public enum NetworkType { user, network, bridge }

    /**
     * The boot disk's source: a base image at a host path ({@code image}), a base image by URL and
     * digest ({@code url}), or another VM's snapshot ({@code from}: a full, independent copy),
     * exactly one of them non-null. size in bytes, 0 = the source's own size.
     */
    public record Disk(String image, ImageUrl url, From from, long sizeBytes) {

        /** A disk on a base image at a host path. */
        public Disk(String image, long sizeBytes) {
            this(image, null, null, sizeBytes);
        }

        /** A disk on a base image at a path or a URL. */
        public Disk(String image, ImageUrl url, long sizeBytes) {
            this(image, url, null, sizeBytes);
        }

        /** Whether the two disks have the same source: the same path, URL and digest, or snapshot. */
        public boolean sameBase(Disk other) {
            return java.util.Objects.equals(image, other.image) && java.util.Objects.equals(url, other.url)
                    && java.util.Objects.equals(from, other.from);
        }

        public Disk withSize(long bytes) {
            return new Disk(image, url, from, bytes);
        }

        /** The source as users wrote it: the path, the URL, or "snapshot S of W". */
        public String source() {
            return from != null ? from.toString() : url == null ? image : url.url();
        }
    }

    /** A clone's source: the snapshot {@code snapshot} of the VM {@code workload}. */
    public record From(String workload, String snapshot) {
        @Override
        public String toString() {
            return "snapshot " + snapshot + " of " + workload;
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
