package io.berth.daemon;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;

/**
 * Ready while the last successful full relist is fresh (kubelet's "PLEG is not healthy"): when a
 * runtime stops answering, Berth stays up but says it cannot vouch for the host.
 */
@Readiness
public class RelistReadiness implements HealthCheck {

    private final Resync resync;
    private final BerthConfig config;

    public RelistReadiness(Resync resync, BerthConfig config) {
        this.resync = resync;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        Instant last = resync.lastRelist();
        Duration age = resync.sinceLastRelist();
        Duration limit = config.resyncInterval().multipliedBy(3);
        // The age on the monotonic clock: a wall-clock step (NTP) must not make a fresh relist stale.
        boolean fresh = age != null && age.compareTo(limit) <= 0;
        return HealthCheckResponse.named("relist")
                .status(fresh)
                .withData("lastRelist", last == null ? "never" : last.toString())
                .withData("maxAge", limit.toString())
                .build();
    }
}
