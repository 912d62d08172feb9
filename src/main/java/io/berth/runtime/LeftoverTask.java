package io.berth.runtime;

/**
 * A start the engine refused because it still holds a task of this very container from before
 * it restarted: a start that raced dockerd's shutdown leaves containerd with a task dockerd no
 * longer tracks, and every later start of that container fails with "task ID: already exists"
 * (moby#38346 fixed the container object, not the task). Only a new container starts, so the
 * executor replaces the container with one made from the same spec (named volumes are kept, as
 * on any recreate), the way Nomad recovers (hashicorp/nomad#2084).
 */
public class LeftoverTask extends RuntimeFailure {

    public LeftoverTask(String workload, String message, Throwable cause) {
        super(workload, message, cause);
    }
}
