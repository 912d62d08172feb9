package io.berth.source;

import io.berth.manifest.ManifestError;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link ManifestDirectory.Listener} as the directory calls it: nothing once the directory is
 * closed, and a listener that throws is logged, never allowed to stop the watcher (a
 * {@link VirtualMachineError} still propagates). Called from one thread at a time.
 */
final class SafeListener implements ManifestDirectory.Listener {

    private static final Logger LOG = Logger.getLogger(ManifestDirectory.class.getName());

    private final ManifestDirectory.Listener listener;
    private final BooleanSupplier closed;

    SafeListener(ManifestDirectory.Listener listener, BooleanSupplier closed) {
        this.listener = listener;
        this.closed = closed;
    }

    @Override
    public void changed(ManifestDirectory.Snapshot snapshot, Set<String> changedNames) {
        call(() -> listener.changed(snapshot, changedNames), "a change of " + changedNames);
    }

    @Override
    public void invalid(List<ManifestError> errors, ManifestDirectory.Snapshot lastGood) {
        call(() -> listener.invalid(errors, lastGood), "invalid manifests");
    }

    @Override
    public void unavailable(Path dir, String problem, ManifestDirectory.Snapshot lastGood) {
        call(() -> listener.unavailable(dir, problem, lastGood), "an unavailable directory");
    }

    @Override
    public void available(Path dir, ManifestDirectory.Snapshot current) {
        call(() -> listener.available(dir, current), "the directory back");
    }

    private void call(Runnable callback, String what) {
        if (closed.getAsBoolean()) {
            return;
        }
        try {
            callback.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "manifest directory listener failed on " + what, e);
        }
    }
}
