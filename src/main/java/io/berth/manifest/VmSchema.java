package io.berth.manifest;

import static io.berth.manifest.SchemaObject.enumOf;
import static io.berth.manifest.SchemaObject.of;
import static io.berth.manifest.SchemaObject.ref;
import static io.berth.manifest.SchemaTypes.*;

import io.berth.manifest.VmSpec.Hypervisor;
import io.berth.manifest.VmSpec.NetworkType;
import java.util.List;
import java.util.Map;

/**
 * The {@code spec} of {@code kind: VirtualMachine} and its nested mappings as {@link SchemaObject}s,
 * in the order of {@link VmSpecParser#FIELDS}, with the defaults that parser fills. Pure.
 */
final class VmSchema {

    private static final String IMAGE_DIRS = " Must be under the agent's image directories (BERTH_IMAGE_DIRS, "
            + "default /var/lib/berth/images).";

    private VmSchema() {
    }

    static SchemaObject spec() {
        return new SchemaObject("A KVM/QEMU virtual machine (libvirt) with hard vCPU and memory limits.")
                .optional("hypervisor", enumOf(Hypervisor.class, Hypervisor.auto),
                        "auto (KVM where it really runs guests, else QEMU emulation with a warning), kvm (required) or qemu.", "auto")
                .required("disk", ref("Disk"), "The boot disk: a copy-on-write overlay on a base image.", null)
                .optional("kernel", ref("Kernel"), "Boot this kernel directly instead of the disk's boot loader.", null)
                .optional("cloudInit", ref("CloudInit"), "A cloud-init seed (NoCloud) for the guest.", null)
                .optional("network", ref("Network"), "The guest's network; absent means user-mode networking.", null)
                .optional("snapshots", ref("SnapshotSchedule"), "Scheduled snapshots of the disk and how many are kept.", null)
                .required("resources", ref("VirtualMachineResources"), "Hard limits: Berth only runs hard-limited workloads.",
                        null)
                .optional("placement", ref("Placement"), "Which hosts run this workload; absent means every host.", null)
                .optional("dependsOn", ManifestSchema.DEPENDS_ON, ManifestSchema.DEPENDS_ON_TEXT, ManifestSchema.DEPENDS_ON_EXAMPLE);
    }

    static SchemaObject disk() {
        return new SchemaObject("The VM's disk: an overlay on a base image that stays untouched, or a full copy of another"
                + " VM's snapshot. Exactly one of image and from.")
                .optional("image", of("anyOf", List.of(ABSOLUTE_PATH, ref("ImageUrl"))), "The base image (qcow2 or raw): a path on "
                        + "the host, or {url, sha256} to download it once into the first image directory." + IMAGE_DIRS,
                        "/var/lib/berth/images/debian-12-genericcloud-amd64.qcow2")
                .optional("from", ref("DiskFrom"), "A clone: the disk starts as a full, independent copy of another VM's"
                        + " snapshot on this host (deleting the source or its snapshot later never touches the clone).", null)
                .optional("size", MEMORY, "The disk's size (Mi, Gi, ...); absent means the source's own size.", "10Gi")
                .rule(of("oneOf", List.of(of("required", List.of("image")), of("required", List.of("from")))));
    }

    static SchemaObject snapshots() {
        return new SchemaObject("Scheduled snapshots of the VM's disk, taken by the daemon (agent serve). Manual and"
                + " automatic snapshots are never removed by keep.")
                .required("schedule", of("type", "string", "minLength", 1), "When: five cron fields (minute hour"
                        + " day-of-month month day-of-week, UTC) or @hourly, @daily, @weekly, @monthly.", "@hourly")
                .optional("keep", of("type", "integer", "minimum", 1, "maximum", 10_000, "default", 7),
                        "How many scheduled snapshots to keep: the oldest beyond it are deleted after each new one.", 24);
    }

    static SchemaObject diskFrom() {
        return new SchemaObject("Another VM's snapshot, as agent snapshot list shows it.")
                .required("workload", NAME, "The VM the snapshot belongs to.", "db")
                .required("snapshot", SNAPSHOT_NAME, "The snapshot's name.", "nightly");
    }

    static SchemaObject imageUrl() {
        return new SchemaObject("A base image to download: fetched once into the first image directory as "
                + "sha256-<digest>.img, verified before use, shared by every VM that names the same digest.")
                .required("url", IMAGE_URL, "Where to fetch it: an http://, https:// or file:/// URL, without user:password@ "
                        + "(the URL is recorded on the VM). A file URL must be under the image directories.",
                        "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2")
                .required("sha256", SHA256, "The image's SHA-256, as sha256sum prints it (64 lowercase hex digits). A download "
                        + "that does not hash to it is an error and nothing is kept.",
                        "5d3f3a0b4c1e2d6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f");
    }

    static SchemaObject kernel() {
        return new SchemaObject("A kernel (and initrd) on the host to boot directly.")
                .required("path", ABSOLUTE_PATH, "The kernel image." + IMAGE_DIRS, "/var/lib/berth/images/vmlinuz")
                .optional("initrd", ABSOLUTE_PATH, "The initial ramdisk." + IMAGE_DIRS, "/var/lib/berth/images/initrd.img")
                .optional("cmdline", PRINTABLE_TEXT, "The kernel command line: one line of printable text.", "console=ttyS0");
    }

    static SchemaObject cloudInit() {
        return new SchemaObject("The cloud-init seed the guest reads at first boot.")
                .required("userData", of("type", "string"), "The user data, usually starting with #cloud-config.",
                        "#cloud-config\nhostname: db\n");
    }

    static SchemaObject network() {
        Map<String, Object> attached = of("properties", of("type", of("enum", List.of("network", "bridge"))), "required", List.of("type"));
        return new SchemaObject("How the guest is networked.")
                .optional("type", enumOf(NetworkType.class, NetworkType.user), "user (QEMU's user-mode NAT, no setup), "
                        + "network (a libvirt network) or bridge (a host bridge).", "user")
                .optional("source", NETWORK_NAME, "The libvirt network (type network) or host bridge, at most 15 characters "
                        + "(type bridge); not for type user.", "default")
                .rule(of("if", attached, "then", of("required", List.of("source")), "else", of("not", of("required", List.of("source")))))
                .rule(of("if", of("properties", of("type", of("const", "bridge")), "required", List.of("type")),
                        "then", of("properties", of("source", of("maxLength", 15)))));
    }
}
