package io.berth.source;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link WatchService} behind a {@link ManifestDirectory}: the directory and every
 * subdirectory the loader would read (dot-directories excepted) are registered, new ones as they
 * appear, replaced ones again, and gone ones forgotten. It only says <em>that</em> something may
 * have changed; the directory always reloads the whole tree. Used by the watcher thread only
 * (and by {@code start} before that thread exists); not thread-safe.
 */
final class DirectoryWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DirectoryWatch.class.getName());

    private record Registration(WatchKey key, Object fileKey) {
    }

    private final Path dir;
    private final WatchService watcher;
    private final Map<Path, Registration> registered = new HashMap<>();
    private final Map<WatchKey, Path> keyPaths = new IdentityHashMap<>();

    /** @throws UnsupportedOperationException, IOException where the filesystem cannot watch */
    DirectoryWatch(Path dir) throws IOException {
        this.dir = dir;
        this.watcher = dir.getFileSystem().newWatchService();
    }

    /** The next key with events, waiting up to {@code nanos}; null when none came. */
    WatchKey poll(long nanos, TimeUnit unit) throws InterruptedException {
        return watcher.poll(nanos, unit);
    }

    /** The next key with events, or null at once. */
    WatchKey poll() {
        return watcher.poll();
    }

    /** Takes a key's events; true if they may change what the loader reads. */
    boolean drain(WatchKey key) {
        Path base = keyPaths.get(key);
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path name)) {
                relevant = true; // events were lost: reload to be sure
                continue;
            }
            if (name.toString().startsWith(".")) {
                continue; // dotfiles and dot-directories are never read (an atomic rename's target is not one)
            }
            relevant = true;
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && base != null) {
                Path child = base.resolve(name);
                if (Files.isDirectory(child)) {
                    // Now, so events inside it during the debounce are not lost; the reload re-walks anyway.
                    register(child, new HashSet<>(), new HashSet<>());
                }
            }
        }
        if (!key.reset()) {
            // The directory was deleted, moved away or unmounted.
            relevant = true;
            forget(key);
        }
        return relevant;
    }

    /**
     * Registers every directory the loader would read that is not watched yet (or whose watch now
     * points at a replaced directory), and forgets the ones that are gone.
     */
    void registerTree() {
        Set<Path> seen = new HashSet<>();
        if (Files.isDirectory(dir)) {
            register(dir, new HashSet<>(), seen);
        }
        for (Path stale : List.copyOf(registered.keySet())) {
            if (!seen.contains(stale)) {
                Registration r = registered.remove(stale);
                release(r.key());
            }
        }
    }

    /** Registers {@code d} and, recursively, its subdirectories, except dot-directories. */
    private void register(Path d, Set<Path> visiting, Set<Path> seen) {
        Object fileKey;
        try {
            if (!visiting.add(d.toRealPath())) {
                return; // a symlink loop
            }
            fileKey = Files.readAttributes(d, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return; // gone or unreadable: the loader reports what matters
        }
        seen.add(d);
        Registration r = registered.get(d);
        if (r == null || !r.key().isValid() || fileKey == null || !fileKey.equals(r.fileKey())) {
            try {
                WatchKey key = d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                Registration previous = registered.put(d, new Registration(key, fileKey));
                keyPaths.put(key, d);
                if (previous != null && previous.key() != key) {
                    release(previous.key());
                }
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(Level.FINE, "cannot watch " + d + "; relying on rescans for it", e);
                return;
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
            for (Path e : entries) {
                if (!e.getFileName().toString().startsWith(".") && Files.isDirectory(e)) {
                    register(e, visiting, seen);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ClosedWatchServiceException c) {
                throw c;
            }
            LOG.log(Level.FINE, "cannot list " + d + " to watch its subdirectories", e);
        }
    }

    /** Cancels a watch no registered directory uses any more (one key can serve two paths). */
    private void release(WatchKey key) {
        for (Registration r : registered.values()) {
            if (r.key() == key) {
                return;
            }
        }
        keyPaths.remove(key);
        key.cancel();
    }

    private void forget(WatchKey key) {
        registered.values().removeIf(r -> r.key() == key);
        keyPaths.remove(key);
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the watch service of " + dir, e);
        }
    }
}
