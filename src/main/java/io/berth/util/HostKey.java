package io.berth.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * A random 256-bit secret of this host, kept in one file of the state directory (mode 0600,
 * readable by root only) and made on first use. Berth keys the digests of secret spec values with
 * it (see {@code io.berth.manifest.Redaction}): whoever can read Docker labels or libvirt domain
 * XML but not this file cannot test guesses against them. The CLI's local mode and the daemon
 * share it when they share the state directory. Loaded lazily and once; thread-safe.
 */
public final class HostKey implements Supplier<byte[]> {

    /** The file name under the state directory. */
    public static final String FILE = "spec-key";
    static final int BYTES = 32;

    private final Path file;
    private volatile byte[] key;

    public HostKey(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    /**
     * The key, read from the file or, when there is none, made and written first.
     *
     * @throws UncheckedIOException when the file can be neither read nor created (not root)
     */
    @Override
    public byte[] get() {
        byte[] k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    try {
                        key = loadOrCreate();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read or create the spec key " + file + " ("
                                + e.getMessage() + "); run as root, or set BERTH_STATE_DIR", e);
                    }
                }
                k = key;
            }
        }
        return k.clone();
    }

    private byte[] loadOrCreate() throws IOException {
        if (Files.exists(file)) {
            return read();
        }
        StateDirs.secure(file.getParent());
        byte[] fresh = new byte[BYTES];
        new SecureRandom().nextBytes(fresh);
        Path tmp = file.resolveSibling("." + FILE + "." + ProcessHandle.current().pid() + ".tmp");
        AtomicFiles.write(tmp, fresh);
        try {
            // A link, not a rename: it fails when another process (the CLI beside the daemon) made
            // the key meanwhile, and then both use that one.
            Files.createLink(file, tmp);
            AtomicFiles.syncDirectory(file.getParent());
        } catch (FileAlreadyExistsException e) {
            return read();
        } finally {
            Files.deleteIfExists(tmp);
        }
        return fresh;
    }

    private byte[] read() throws IOException {
        byte[] k = Files.readAllBytes(file);
        if (k.length != BYTES) {
            throw new IOException("it holds " + k.length + " bytes, not " + BYTES);
        }
        return k;
    }
}
