/**
 * The Docker runtime (docker-java over the Engine API, no version pinned): containers with hard
 * limits, labels as ownership marks, the label-filtered event stream, logs.
 *
 * <p>May import: runtime, manifest, util.
 */
package io.berth.runtime.docker;
