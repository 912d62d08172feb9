package io.berth.runtime.docker;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's answers as Berth reports them, in Docker's and Podman's shapes, and which start failures are a leftover task (pure). */
class DockerErrorsTest {

    /** Podman 4.3's answer to a create with a taken name, as docker-java words it. */
    static final String PODMAN_NAME_TAKEN = "Status 500: {\"cause\":\"that name is already in use\",\"message\":\"container create: "
            + "creating container storage: the container name \\\"berth-web\\\" is already in use by 362f387dfbfa. You have to "
            + "remove that container to be able to reuse that name: that name is already in use\",\"response\":500}\n";

    @Test
    void aTakenNameIsAConflictInBothShapes() {
        assertThat(DockerErrors.isConflict(new ConflictException("Status 409: {\"message\":\"Conflict.\"}"))).isTrue();
        assertThat(DockerErrors.isConflict(new InternalServerErrorException(PODMAN_NAME_TAKEN))).isTrue();
        assertThat(DockerErrors.isConflict(new InternalServerErrorException("Status 500: {\"message\":\"disk full\"}"))).isFalse();
    }

    @Test
    void onlyTheEnginesSentenceIsKept() {
        assertThat(DockerErrors.engineMessage(new InternalServerErrorException(PODMAN_NAME_TAKEN)))
                .startsWith("container create: creating container storage: the container name \"berth-web\" is already in use")
                .endsWith("that name is already in use");
        assertThat(DockerErrors.engineMessage(new DockerException("Status 404: {\"message\":\"No such container: x\"}\n", 404)))
                .isEqualTo("No such container: x");
    }

    @Test
    void aRefusedVersionAndAnUnreachableEngineAskForANewNegotiation() {
        AtomicInteger lost = new AtomicInteger();
        DockerErrors errors = new DockerErrors("unix:///run/podman/podman.sock", lost::incrementAndGet);
        assertThatThrownBy(() -> errors.call("web", "list", () -> {
            throw new DockerException("Status 400: {\"message\":\"client version 1.41 is too old. Minimum supported API version is 1.44, "
                    + "please upgrade your client to a newer version\"}", 400);
        })).hasMessage("web: list: client version 1.41 is too old. Minimum supported API version is 1.44, "
                + "please upgrade your client to a newer version");
        assertThat(lost).hasValue(1);
        assertThatThrownBy(() -> errors.call("web", "list", () -> {
            throw new IllegalStateException("connection refused");
        })).hasMessageContaining("is `podman system service` running?");
        assertThat(lost).hasValue(2);
        assertThatThrownBy(() -> errors.call("web", "list", () -> {
            throw new DockerException("Status 404: {\"message\":\"No such container: web\"}", 404);
        }));
        assertThat(lost).as("an ordinary answer is no reason").hasValue(2);
    }

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
