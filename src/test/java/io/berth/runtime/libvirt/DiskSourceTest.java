package io.berth.runtime.libvirt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a domain's guest disk points, rewritten through the DOM (a path with markup characters stays
 * text), and the external disk-only snapshot XML: only vda, every other disk left out.
 */
class DiskSourceTest {

    static final String XML = """
            <domain type="qemu"><name>berth-a</name><devices>
            <disk type="file" device="disk"><driver name="qemu" type="qcow2"/><source file="/s/vms/a/disk.qcow2"/>
            <backingStore type="file"><source file="/base.qcow2"/></backingStore><target dev="vda" bus="virtio"/></disk>
            <disk type="file" device="cdrom"><source file="/s/vms/a/seed.iso"/><target dev="sda" bus="sata"/><readonly/></disk>
            </devices></domain>""";

    @Test
    void theGuestDiskIsReadAndRepointedWithItsOldChainDropped() {
        assertThat(DiskSource.of(XML)).isEqualTo("/s/vms/a/disk.qcow2");
        String moved = DiskSource.with(XML, "/s/vms/a/layers/<L&1>.qcow2");
        assertThat(DiskSource.of(moved)).isEqualTo("/s/vms/a/layers/<L&1>.qcow2");
        assertThat(moved).doesNotContain("backingStore").contains("/s/vms/a/seed.iso").contains("&lt;L&amp;1&gt;");
        assertThat(DiskSource.hasGuestAgent(XML)).isFalse();
        assertThat(DiskSource.hasGuestAgent(XML.replace("</devices>",
                "<channel type=\"unix\"><target type=\"virtio\" name=\"org.qemu.guest_agent.0\"/></channel></devices>"))).isTrue();
    }

    @Test
    void theSnapshotIsExternalForVdaAndLeavesTheSeedOut() {
        String snap = DiskSource.snapshotXml(XML, "/s/vms/a/layers/L1.qcow2");
        assertThat(snap).contains("<domainsnapshot>", "name=\"vda\"", "snapshot=\"external\"",
                "<source file=\"/s/vms/a/layers/L1.qcow2\"/>", "<disk name=\"sda\" snapshot=\"no\"/>");
    }
}
