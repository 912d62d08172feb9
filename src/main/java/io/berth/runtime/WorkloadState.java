package io.berth.runtime;

/** A runtime object's lifecycle state, common to containers and domains. */
public enum WorkloadState {
    /** Created but never started (e.g. an apply was interrupted between create and start). */
    Created,
    Running,
    Paused,
    /** The runtime is restarting it by its own restart policy. */
    Restarting,
    /** Stopped: exited by itself or was stopped. */
    Exited,
    /** Crashed or unusable; only removal helps. */
    Dead
}
