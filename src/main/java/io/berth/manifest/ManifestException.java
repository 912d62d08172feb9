package io.berth.manifest;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown where a caller needs exactly one valid workload and the input is not one (see
 * {@link CanonicalForm#fromJson}). Carries every error found; the message lists them one per line.
 */
public final class ManifestException extends RuntimeException {

    private final transient List<ManifestError> errors;

    public ManifestException(List<ManifestError> errors) {
        super(errors.stream().map(ManifestError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ManifestError> errors() {
        return errors;
    }
}
