package io.berth.convert;

import io.berth.manifest.Origin;

/** The input is not a Compose file Berth can read (bad YAML, no services): nothing is converted. */
public final class ComposeException extends RuntimeException {

    private final transient Origin origin;

    public ComposeException(Origin origin, String message) {
        super(origin + ": " + message);
        this.origin = origin;
    }

    public Origin origin() {
        return origin;
    }
}
