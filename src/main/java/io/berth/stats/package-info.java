/**
 * Live utilization: one sampler thread reads each workload's cgroup or QEMU process once per
 * interval (where each runtime says to look, {@link io.berth.runtime.UsageSource}), the host's
 * capacity and use, the Prometheus gauges, and the service that runs it in the daemon.
 *
 * <p>May import: runtime, manifest, source, util.
 */
package io.berth.stats;
