/**
 * The libvirt runtime (libvirt-java, plus JNA for what it does not wrap): domains with vCPU quota
 * and memory limits, qcow2 overlays on base images, cloud-init seeds, serial console logs, Berth's
 * metadata in the domain XML, lifecycle events, the hypervisor probe.
 *
 * <p>May import: runtime, manifest, images, util.
 */
package io.berth.runtime.libvirt;
