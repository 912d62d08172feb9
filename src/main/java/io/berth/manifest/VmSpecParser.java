package io.berth.manifest;

import io.berth.manifest.VmSpec.CloudInit;
import io.berth.manifest.VmSpec.Disk;
import io.berth.manifest.VmSpec.From;
import io.berth.manifest.VmSpec.Hypervisor;
import io.berth.manifest.VmSpec.Kernel;
import io.berth.manifest.VmSpec.Network;
import io.berth.manifest.VmSpec.NetworkType;
import java.nio.file.Files;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the VirtualMachine-only fields of {@code spec} into a {@link VmSpec}, filling defaults
 * (hypervisor auto, user-mode networking). Not thread-safe: one per parse.
 */
final class VmSpecParser {

    /** In the contract's order, which is also the canonical form's. */
    static final List<String> FIELDS = List.of("hypervisor", "disk", "kernel", "cloudInit", "network", "snapshots");
    static final List<String> SNAPSHOTS = List.of("schedule", "keep");
    /** How many scheduled snapshots are kept when {@code keep} is not given. */
    static final int DEFAULT_KEEP = 7;
    static final List<String> DISK = List.of("image", "from", "size");
    static final List<String> FROM = List.of("workload", "snapshot");
    static final List<String> IMAGE_URL = List.of("url", "sha256");
    static final List<String> KERNEL = List.of("path", "initrd", "cmdline");
    static final List<String> CLOUD_INIT = List.of("userData");
    static final List<String> NETWORK = List.of("type", "source");

    static final Network DEFAULT_NETWORK = new Network(NetworkType.user, null);

    private final NodeReader r;
    private final HostPolicy images;

    VmSpecParser(NodeReader reader, HostPolicy images) {
        this.r = reader;
        this.images = images;
    }

    /** The spec of the VM {@code name} (null when it has none), or null if anything in it is wrong (errors recorded). */
    VmSpec parse(Fields spec, String name) {
        int before = r.errorCount();
        Hypervisor hypervisor = spec.enumValue("hypervisor", Hypervisor.class, Hypervisor.auto);
        Disk disk = disk(spec, name);
        Kernel kernel = kernel(spec);
        CloudInit cloudInit = cloudInit(spec);
        Network network = network(spec);
        VmSpec.SnapshotPolicy snapshots = snapshots(spec);
        if (r.errorCount() > before) {
            return null;
        }
        return new VmSpec(hypervisor, disk, kernel, cloudInit, network, snapshots);
    }

    private Disk disk(Fields spec, String name) {
        if (!spec.has("disk")) {
            spec.require("disk", "the base image to boot, like {image: /var/lib/berth/images/debian-12.qcow2, size: 10Gi}"
                    + " or {image: {url: https://..., sha256: ...}}, or another VM's snapshot: {from: {workload: db,"
                    + " snapshot: nightly}}");
            return null;
        }
        Fields d = spec.mapping("disk", DISK);
        if (d == null) {
            return null;
        }
        Long size = d.has("size") ? d.quantity("size", Quantities::parseMemory) : Long.valueOf(0);
        if (d.has("from")) {
            if (d.has("image")) {
                r.error(d.get("from"), d.path("from"), "give either disk.image (a base image) or disk.from (another"
                        + " VM's snapshot), not both");
                return null;
            }
            From from = from(d, name);
            return from == null || size == null ? null : new Disk(null, null, from, size);
        }
        Node given = d.get("image");
        if (given instanceof MappingNode) {
            ImageUrl url = imageUrl(d);
            return url == null || size == null ? null : new Disk(null, url, size);
        }
        if (given != null && !(given instanceof ScalarNode)) {
            r.error(given, d.path("image"), "expected an absolute path or a mapping {url, sha256}, got "
                    + NodeReader.describe(given));
            return null;
        }
        String image = imagePath(d, "image", true);
        if (image != null && Files.exists(Path.of(image)) && ImageChain.available()) {
            // The base's whole backing chain, not only its own path (a missing base is the runtime's
            // to report: it may appear before the apply; a host without qemu-img cannot run VMs anyway).
            String problem = ImageChain.problem(images, Path.of(image));
            if (problem != null) {
                r.error(d.get("image"), d.path("image"), problem);
                image = null;
            }
        }
        return image == null || size == null ? null : new Disk(image, size);
    }

    /** {@code snapshots: {schedule, keep}}: scheduled snapshots and how many of them are kept. */
    private VmSpec.SnapshotPolicy snapshots(Fields spec) {
        Fields s = spec.mapping("snapshots", SNAPSHOTS);
        if (s == null) {
            return null;
        }
        String text = s.requiredString("schedule", "when to take a snapshot: " + CronSchedule.VALID);
        Long keep = s.has("keep") ? s.integer("keep", 1, 10_000) : Long.valueOf(DEFAULT_KEEP);
        CronSchedule schedule = null;
        if (text != null) {
            try {
                schedule = CronSchedule.parse(text);
            } catch (IllegalArgumentException e) {
                r.error(s.get("schedule"), s.path("schedule"), e.getMessage());
            }
        }
        return schedule == null || keep == null ? null : new VmSpec.SnapshotPolicy(schedule, keep.intValue());
    }

    /** {@code from: {workload, snapshot}}: a full copy of another VM's snapshot. */
    private From from(Fields d, String name) {
        Fields f = d.mapping("from", FROM);
        if (f == null) {
            return null;
        }
        String workload = f.requiredString("workload", "the VM whose snapshot the disk is copied from");
        String snapshot = f.requiredString("snapshot", "the snapshot's name, as agent snapshot list shows it");
        String problem = workload == null ? null : Syntax.workloadName(workload);
        if (problem != null) {
            r.error(f.get("workload"), f.path("workload"), problem);
            workload = null;
        } else if (workload != null && workload.equals(name)) {
            r.error(f.get("workload"), f.path("workload"), "a VM's disk cannot be a copy of its own snapshot (valid:"
                    + " another VM's name; to go back to a snapshot of " + name + ": agent snapshot restore " + name + ")");
            workload = null;
        }
        if (snapshot != null && !Syntax.SNAPSHOT_NAME.matcher(snapshot).matches()) {
            r.error(f.get("snapshot"), f.path("snapshot"), Messages.quote(snapshot) + " is not a snapshot name ("
                    + Syntax.SNAPSHOT_VALID + ")");
            snapshot = null;
        }
        return workload == null || snapshot == null ? null : new From(workload, snapshot);
    }

    /** {@code image: {url, sha256}}: a base image to download, named by its digest. */
    private ImageUrl imageUrl(Fields d) {
        Fields u = d.mapping("image", IMAGE_URL);
        if (u == null) {
            return null;
        }
        String url = u.requiredString("url", "where to fetch the base image: an http://, https:// or file:// URL");
        String sha256 = u.requiredString("sha256", "the image's SHA-256 as sha256sum prints it, 64 lowercase hex digits;"
                + " every download is verified against it");
        String problem = url == null ? null : Syntax.imageUrl(url);
        if (problem == null && url != null && url.startsWith("file:")) {
            // A local file is a host path like any other base image: only from the image directories.
            problem = images.problem(java.net.URI.create(url).getPath());
        }
        if (problem != null) {
            r.error(u.get("url"), u.path("url"), problem);
            url = null;
        }
        problem = sha256 == null ? null : Syntax.sha256(sha256);
        if (problem != null) {
            r.error(u.get("sha256"), u.path("sha256"), problem);
            sha256 = null;
        }
        return url == null || sha256 == null ? null : new ImageUrl(url, sha256);
    }

    private Kernel kernel(Fields spec) {
        Fields k = spec.mapping("kernel", KERNEL);
        if (k == null) {
            return null;
        }
        String path = imagePath(k, "path", true);
        String initrd = imagePath(k, "initrd", false);
        String cmdline = k.string("cmdline");
        String problem = cmdline == null ? null : Syntax.kernelCmdline(cmdline);
        if (problem != null) {
            r.error(k.get("cmdline"), k.path("cmdline"), problem);
            return null;
        }
        return path == null ? null : new Kernel(path, initrd, cmdline);
    }

    private CloudInit cloudInit(Fields spec) {
        Fields c = spec.mapping("cloudInit", CLOUD_INIT);
        if (c == null) {
            return null;
        }
        String userData = c.requiredString("userData", "the cloud-init user data, usually starting with #cloud-config");
        return userData == null ? null : new CloudInit(userData);
    }

    private Network network(Fields spec) {
        Fields n = spec.mapping("network", NETWORK);
        if (n == null) {
            return DEFAULT_NETWORK;
        }
        NetworkType type = n.enumValue("type", NetworkType.class, NetworkType.user);
        if (type == null) {
            return null;
        }
        if (type == NetworkType.user) {
            if (n.has("source")) {
                r.error(n.at("source"), n.path("source"), "only valid for network type network or bridge "
                        + "(user-mode networking has no source)");
            }
            return DEFAULT_NETWORK;
        }
        String what = type == NetworkType.bridge ? "the host bridge to attach to, like \"br0\""
                : "the libvirt network to attach to, like \"default\"";
        String source = n.requiredString("source", what);
        if (source != null && Syntax.networkSource(source, type == NetworkType.bridge) != null) {
            r.error(n.get("source"), n.path("source"), Syntax.networkSource(source, type == NetworkType.bridge));
        }
        return source == null ? null : new Network(type, source);
    }

    /** An absolute host path inside the allowed image directories. */
    private String imagePath(Fields f, String name, boolean required) {
        String path = required ? f.requiredString(name, "an absolute path on the host") : f.string(name);
        if (path == null) {
            return null;
        }
        String problem = Syntax.absolutePath(path);
        if (problem == null) {
            problem = images.problem(path);
        }
        if (problem != null) {
            r.error(f.get(name), f.path(name), problem);
            return null;
        }
        return path;
    }
}
