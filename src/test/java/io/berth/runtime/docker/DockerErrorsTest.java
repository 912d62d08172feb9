package io.berth.runtime.docker;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which start failures are the engine's leftover task of the same container (then only a new container starts). */
class DockerErrorsTest {

    static final String ID = "3f1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a";

    @Test
    void containerdsTaskAlreadyExistsIsALeftoverTaskWhateverStatusTheEngineMapsItTo() {
        assertThat(DockerErrors.isLeftoverTask(new InternalServerErrorException(
                "Status 500: {\"message\":\"task " + ID + ": already exists\"}\n"))).isTrue();
        assertThat(DockerErrors.isLeftoverTask(new ConflictException(
                "Status 409: {\"message\":\"task " + ID + ": already exists\"}\n"))).isTrue();
        // moby#50040: the task's bundle directory is still there.
        assertThat(DockerErrors.isLeftoverTask(new InternalServerErrorException("Status 500: {\"message\":\"failed to create"
                + " task for container: failed to start shim: mkdir /run/containerd/io.containerd.runtime.v2.task/moby/"
                + ID + ": file exists\"}\n"))).isTrue();
    }

    @Test
    void otherStartFailuresAreNot() {
        assertThat(DockerErrors.isLeftoverTask(new InternalServerErrorException("Status 500: {\"message\":\"OCI runtime"
                + " create failed: runc create failed: unable to start container process: exec: \\\"nope\\\":"
                + " executable file not found in $PATH: unknown\"}\n"))).isFalse();
        assertThat(DockerErrors.isLeftoverTask(new ConflictException("Status 409: {\"message\":\"Conflict. The container"
                + " name \\\"/berth-web\\\" is already in use by container \\\"" + ID + "\\\".\"}\n"))).isFalse();
        assertThat(DockerErrors.isLeftoverTask(new DockerException("Status 500: {\"message\":\"driver failed programming"
                + " external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated\"}", 500))).isFalse();
        assertThat(DockerErrors.isLeftoverTask(new IllegalStateException("task " + ID + ": already exists"))).isFalse();
    }
}
