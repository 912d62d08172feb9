package io.berth.source;

import io.berth.manifest.HostPolicy;
import io.berth.reconcile.StatusBook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real {@link GitSync}'s {@code status()} for a persisted {@code STATE/git/status.json}, without fetching anything. */
public final class GitStatusFixture {

    private GitStatusFixture() {
    }

    public static Map<String, Object> status(Path stateDir, String url, String statusJson) throws IOException {
        Files.createDirectories(stateDir.resolve("git"));
        Files.writeString(stateDir.resolve("git/status.json"), statusJson);
        DesiredState desired = new DesiredState("/etc/berth/manifests", Map::of, stateDir);
        try (GitSync sync = new GitSync(GitSyncTest.config(url, "fleet"), stateDir, desired, names -> { },
                new StatusBook(), HostPolicy.of(null, false))) {
            return sync.status();
        }
    }
}
