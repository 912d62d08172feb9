/**
 * The Docker runtime (docker-java over the Engine API, at the version negotiated with the engine:
 * Docker 20.10 to 29, and Podman's Docker-compatible API): containers with hard limits, labels as
 * ownership marks, the label-filtered event stream, logs.
 *
 * <p>May import: runtime, manifest, images, util.
 */
package io.berth.runtime.docker;
