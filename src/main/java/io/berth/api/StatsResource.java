package io.berth.api;

import io.berth.stats.StatsService;

import io.berth.stats.Sampler;
import io.berth.stats.StatsSnapshot;
import io.berth.stats.WorkloadSample;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /api/v1} utilization (CONTRACT §3): the newest sample of every workload and the host, of
 * one workload, and a server-sent event stream with one snapshot per sampling interval. Reads only
 * what the sampler already holds: a request never touches a runtime or a cgroup.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {

    private final StatsService stats;

    public StatsResource(StatsService stats) {
        this.stats = stats;
    }

    @GET
    @Path("/stats")
    public StatsSnapshot all() {
        return latest();
    }

    @GET
    @Path("/workloads/{name}/stats")
    public WorkloadSample workload(@PathParam("name") String name) {
        return latest().workload(name).orElseThrow(() -> new NotFoundException(
                "no stats for " + name + ": not a managed workload, or seen for less than one sampling interval"));
    }

    /**
     * Sends the newest snapshot at once, then every new one. A client that reads slower than the
     * interval gets the latest snapshot when it catches up, not a growing backlog.
     */
    @GET
    @Path("/stats/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<StatsSnapshot> stream() {
        Sampler sampler = sampler();
        return Multi.createFrom().emitter(emitter -> {
            AtomicBoolean sent = new AtomicBoolean();
            AutoCloseable subscription = sampler.subscribe(s -> {
                sent.set(true);
                emitter.emit(s);
            });
            emitter.onTermination(() -> {
                try {
                    subscription.close();
                } catch (Exception ignored) {
                    // only removes a listener
                }
            });
            StatsSnapshot now = sampler.latest();
            if (now != null && sent.compareAndSet(false, true)) {
                emitter.emit(now);
            }
        }, BackPressureStrategy.LATEST);
    }

    private Sampler sampler() {
        Sampler s = stats.sampler();
        if (s == null) {
            throw new ServiceUnavailableException("the sampler is not running yet");
        }
        return s;
    }

    private StatsSnapshot latest() {
        StatsSnapshot s = sampler().latest();
        if (s == null) {
            throw new ServiceUnavailableException("no sample yet: the first one follows the first runtime listing");
        }
        return s;
    }
}
