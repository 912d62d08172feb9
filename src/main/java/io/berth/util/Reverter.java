package io.berth.util;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo steps for a multi-step change, after Incus' {@code revert} package: each step that changed
 * something registers how to take it back ({@link #add}); when the change completes, {@link #success}
 * disarms the reverter; otherwise {@link #close} (the end of a try-with-resources block) runs the
 * registered undos in reverse order, so a failed operation leaves nothing half-made.
 *
 * <pre>{@code
 * try (Reverter revert = new Reverter()) {
 *     runtime.create(w, ownership);
 *     revert.add(() -> runtime.remove(w.name(), true));
 *     runtime.start(w.name());
 *     revert.success();
 * }
 * }</pre>
 *
 * <p>Every undo runs even when an earlier one fails. Undo failures never hide the failure that
 * caused the revert: {@code close} throws the first undo failure (with any later ones suppressed
 * on it), and try-with-resources adds that as a suppressed exception to the original one, which
 * is what propagates. Not thread-safe: one reverter belongs to one operation on one thread.
 */
public final class Reverter implements AutoCloseable {

    /** Takes one step back; may throw (unchecked) when it cannot. */
    @FunctionalInterface
    public interface Undo {
        void run();
    }

    private final Deque<Undo> undos = new ArrayDeque<>();
    private boolean armed = true;

    /** Registers the undo of a step that has just succeeded; it runs first on revert (LIFO). */
    public void add(Undo undo) {
        undos.push(java.util.Objects.requireNonNull(undo, "undo"));
    }

    /** The change is complete: nothing registered so far or later will be undone. */
    public void success() {
        armed = false;
        undos.clear();
    }

    /**
     * Unless {@link #success} was called, runs every registered undo, last registered first, and
     * forgets them (a second close does nothing).
     *
     * @throws RuntimeException the first undo failure, later ones suppressed on it
     */
    @Override
    public void close() {
        if (!armed) {
            return;
        }
        armed = false;
        RuntimeException failed = null;
        while (!undos.isEmpty()) {
            try {
                undos.pop().run();
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
