package io.berth.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.berth.api.dto.ErrorView;
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

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /api/v1} utilization (CONTRACT §3): the newest sample of every workload and the host, of
 * one workload, and a server-sent event stream with one snapshot per sampling interval. Reads only
 * what the sampler already holds: a request never touches a runtime or a cgroup.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = OpenApi.STATS, description = OpenApi.STATS_TAG)
@SecurityRequirement(name = OpenApi.TOKEN)
@APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
@APIResponse(responseCode = "503", description = OpenApi.E503, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
public class StatsResource {

    private static final Duration FIRST_SAMPLE_WAIT = Duration.ofSeconds(5);

    private final StatsService stats;

    public StatsResource(StatsService stats) {
        this.stats = stats;
    }

    @GET
    @Path("/stats")
    @Operation(summary = "The newest sample of every workload and of the host")
    @APIResponse(responseCode = "200", description = "The newest sample",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = StatsSnapshot.class)))
    public StatsSnapshot all() {
        return latest();
    }

    @GET
    @Path("/workloads/{name}/stats")
    @Operation(summary = "The newest sample of one workload")
    @APIResponse(responseCode = "200", description = "The workload's newest sample",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = WorkloadSample.class)))
    @APIResponse(responseCode = "404", description = OpenApi.E404, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public WorkloadSample workload(@Parameter(description = "The workload's metadata.name", example = "web") @PathParam("name") String name) {
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
    @Operation(summary = "The newest sample now, then one per sampling interval, as server-sent events")
    @APIResponse(responseCode = "200", description = "Server-sent events; each data is a sample like GET /api/v1/stats",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(implementation = StatsSnapshot.class)))
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
        Sampler sampler = sampler();
        StatsSnapshot s;
        try {
            // Just after start the first sample follows the first runtime listing: wait for it a
            // little (a few sampling intervals) rather than answer a request with an error.
            s = sampler.latest(FIRST_SAMPLE_WAIT.compareTo(sampler.interval().multipliedBy(3)) > 0
                    ? FIRST_SAMPLE_WAIT : sampler.interval().multipliedBy(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s = null;
        }
        if (s == null) {
            throw new ServiceUnavailableException("no sample yet: the first one follows the first runtime listing");
        }
        return s;
    }
}
