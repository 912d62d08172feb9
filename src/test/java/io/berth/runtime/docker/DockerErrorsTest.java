package io.berth.runtime.docker;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's answers as Berth reports them, in Docker's and Podman's shapes (pure). */
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
}
