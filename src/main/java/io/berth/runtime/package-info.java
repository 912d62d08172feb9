/**
 * One contract for every way Berth runs a workload ({@link io.berth.runtime.Runtime}, after Nomad's
 * task drivers) with its optional features (events, logs, usage targets), the observed state and
 * ownership marks, and {@link io.berth.runtime.RuntimeSet}: the runtimes of this host, listed
 * together and searched by name. Implementations live in {@code docker} and {@code libvirt}.
 *
 * <p>May import: manifest, images, util, runtime.docker, runtime.libvirt.
 */
package io.berth.runtime;
