package io.berth.api;

import io.berth.api.dto.ErrorView;
import io.berth.api.dto.SnapshotAnswer;
import io.berth.api.dto.SnapshotView;
import io.berth.reconcile.HeldNames;
import io.berth.reconcile.SnapshotOps;
import io.berth.reconcile.StatusBook;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.Snapshots;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /api/v1/workloads/{name}/snapshots} (CONTRACT §6.2) and {@code GET /api/v1/snapshots}
 * (every workload's): VM disk snapshots through {@link SnapshotOps}. Each change runs with the
 * name {@linkplain HeldNames held}, so the reconcile loop never repairs a VM a restore stopped on
 * purpose, and is an event ({@code SnapshotCreated}, {@code SnapshotRestored}, {@code SnapshotDeleted}).
 * 404: no such workload or snapshot; 400: an invalid name or a container; 409: refused by the runtime.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = OpenApi.WORKLOADS, description = OpenApi.WORKLOADS_TAG)
@SecurityRequirement(name = OpenApi.TOKEN)
@APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
public class SnapshotsResource {

    static final String E_SNAPSHOT = "400 invalid snapshot name or a container (no snapshots yet); 404 no such workload or"
            + " snapshot; 409 refused (a name taken, a disk Berth cannot settle); nothing was changed";

    private final RuntimeSet runtimes;
    private final WorkQueue<String> queue;
    private final HeldNames held;
    private final StatusBook book;

    public SnapshotsResource(RuntimeSet runtimes, WorkQueue<String> queue, HeldNames held, StatusBook book) {
        this.runtimes = runtimes;
        this.queue = queue;
        this.held = held;
        this.book = book;
    }

    @GET
    @Path("/snapshots")
    @Operation(summary = "Every workload's snapshots")
    @APIResponse(responseCode = "200", description = "The snapshots, by workload, oldest first",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = SnapshotView.class)))
    public Response all() {
        return answer(() -> SnapshotOps.list(runtimes, null));
    }

    @GET
    @Path("/workloads/{name}/snapshots")
    @Operation(summary = "One workload's snapshots")
    @APIResponse(responseCode = "200", description = "Its snapshots, oldest first",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = SnapshotView.class)))
    @APIResponse(responseCode = "404", description = E_SNAPSHOT, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response list(@PathParam("name") String name) {
        return answer(() -> SnapshotOps.list(runtimes, name));
    }

    @POST
    @Path("/workloads/{name}/snapshots")
    @Operation(summary = "Snapshot a VM's disk now (snapshot: its name, default its UTC time 20261201T2215Z)")
    @APIResponse(responseCode = "200", description = "The snapshot made",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = SnapshotAnswer.class)))
    @APIResponse(responseCode = "400", description = E_SNAPSHOT, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response create(@PathParam("name") String name, @QueryParam("snapshot") String snapshot) {
        return change(name, "SnapshotCreated", () -> SnapshotOps.create(runtimes, name, snapshot));
    }

    @POST
    @Path("/workloads/{name}/snapshots/{snap}/restore")
    @Operation(summary = "Put a VM's disk back to a snapshot (keeping the one it had) and run it again; its spec stays")
    @APIResponse(responseCode = "200", description = "The snapshot restored",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = SnapshotAnswer.class)))
    @APIResponse(responseCode = "404", description = E_SNAPSHOT, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response restore(@PathParam("name") String name, @PathParam("snap") String snap,
                            @QueryParam("gracePeriod") @DefaultValue("30") int gracePeriod) {
        return change(name, "SnapshotRestored",
                () -> SnapshotOps.restore(runtimes, name, snap, Duration.ofSeconds(Math.max(0, gracePeriod))));
    }

    @DELETE
    @Path("/workloads/{name}/snapshots/{snap}")
    @Operation(summary = "Forget a snapshot; its data stays while the disk in use or another snapshot needs it")
    @APIResponse(responseCode = "200", description = "The snapshot deleted",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = SnapshotAnswer.class)))
    @APIResponse(responseCode = "404", description = E_SNAPSHOT, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response delete(@PathParam("name") String name, @PathParam("snap") String snap) {
        return change(name, "SnapshotDeleted", () -> SnapshotOps.delete(runtimes, name, snap));
    }

    private Response change(String name, String event, Supplier<SnapshotAnswer> op) {
        return answer(() -> held.hold(name, queue, () -> {
            SnapshotAnswer a = op.get();
            String notes = a.notes().isEmpty() ? "" : ": " + String.join("; ", a.notes());
            book.event(name, event, "snapshot " + a.snapshot().name() + " " + a.action() + notes);
            return a;
        }));
    }

    private static Response answer(Supplier<?> op) {
        try {
            return Response.ok(op.get()).build();
        } catch (Snapshots.NotFound e) {
            return ApiErrors.error(Response.Status.NOT_FOUND, e.getMessage(), List.of());
        } catch (Snapshots.Invalid e) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, e.getMessage(), List.of());
        } catch (RuntimeFailure e) {
            return ApiErrors.error(Response.Status.CONFLICT, e.getMessage(), List.of());
        }
    }
}
