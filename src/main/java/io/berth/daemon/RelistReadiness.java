package io.berth.daemon;

import io.berth.source.GitSource;
import io.berth.source.ManifestDirectory;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;

/**
 * Ready while the last successful full relist is fresh (kubelet's "PLEG is not healthy"): when a
 * runtime stops answering, Berth stays up but says it cannot vouch for the host.
 *
 * <p>A source in error (the watched directory missing, unreadable, unmounted or invalid; the git
 * source's last fetch or commit refused) is data of the check ({@code manifestDirectory},
 * {@code git}), not a reason to be unready: the last good set of that source stays in force and is
 * kept matching, which is what readiness vouches for, and an agent marked unready for as long as an
 * NFS share is down would only get restarted or drained by its supervisor, which repairs nothing.
 * Alert on the data and on the {@code SourceUnavailable}/{@code InvalidManifest} events instead.
 */
@Readiness
public class RelistReadiness implements HealthCheck {

    private final Resync resync;
    private final BerthConfig config;
    private final ManifestDirectory directory;
    private final GitSource git;

    public RelistReadiness(Resync resync, BerthConfig config, ManifestDirectory directory, GitSource git) {
        this.resync = resync;
        this.config = config;
        this.directory = directory;
        this.git = git;
    }

    @Override
    public HealthCheckResponse call() {
        Instant last = resync.lastRelist();
        Duration age = resync.sinceLastRelist();
        Duration limit = config.resyncInterval().multipliedBy(3);
        // The age on the monotonic clock: a wall-clock step (NTP) must not make a fresh relist stale.
        boolean fresh = age != null && age.compareTo(limit) <= 0;
        HealthCheckResponseBuilder r = HealthCheckResponse.named("relist")
                .status(fresh)
                .withData("lastRelist", last == null ? "never" : last.toString())
                .withData("maxAge", limit.toString());
        String dir = directory.problem();
        r.withData("manifestDirectory", dir == null ? "ok" : dir);
        if (git.sync() != null) {
            Object error = git.sync().status().get("error");
            r.withData("git", error == null ? "ok" : error.toString());
        }
        return r.build();
    }
}
