package io.berth.api;

import io.berth.api.dto.ErrorView;
import io.berth.api.dto.RestoreAnswer;
import io.berth.backup.BackupOps;
import io.berth.reconcile.HeldNames;
import io.berth.reconcile.StatusBook;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.DeletedDisks;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeSet;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.List;

/**
 * {@code POST /api/v1/restore} (CONTRACT §6.2), two ways. With the body {@code {"from":
 * "/path/NAME-STAMP.berth.tar", "as": "new"}}: a backup archive on the daemon's host, verified
 * whole, its disk put in place for the name ({@link BackupOps}); 200 with the manifest to apply,
 * 400 a damaged or unknown archive, 409 the name exists. With {@code ?name=NAME&deleted=true
 * [&kept=STAMP]}: a deleted VM's kept disk back in place ({@link DeletedDisks}), 200 with what was
 * restored, 409 when refused (nothing kept, or a workload of that name exists). An archive's
 * progress is {@code RestoreProgress} events ({@link ArchiveEvents}). Either way the name
 * is reconciled right after, so a manifest that still declares it creates it with the restored disk.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = OpenApi.WORKLOADS, description = OpenApi.WORKLOADS_TAG)
@SecurityRequirement(name = OpenApi.TOKEN)
@APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
public class RestoreResource {

    static final String E_RESTORE = "400 neither a body {from} nor ?name&deleted=true, or an archive that is damaged,"
            + " truncated or of an unknown format; 409 refused (a workload or disk of that name exists, nothing kept);"
            + " nothing was changed";

    private final RuntimeSet runtimes;
    private final WorkQueue<String> queue;
    private final HeldNames held;
    private final StatusBook book;
    private final Duration retention;

    public RestoreResource(RuntimeSet runtimes, WorkQueue<String> queue, HeldNames held, StatusBook book,
                           @ConfigProperty(name = "berth.retention.deleted", defaultValue = "72h") Duration retention) {
        this.runtimes = runtimes;
        this.queue = queue;
        this.held = held;
        this.book = book;
        this.retention = retention;
    }

    /** The body's {@code {"from": "/path/file", "as": "new"}} ({@code as} optional). */
    public record RestoreRequest(String from, String as) {
    }

    @POST
    @Path("/restore")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Restore a backup archive on the daemon's host (body {from, as}), or a deleted VM's kept disk"
            + " (?name=NAME&deleted=true[&kept=STAMP])")
    @RequestBody(required = false, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = RestoreRequest.class)))
    @APIResponse(responseCode = "200", description = "Restored: an archive's answer (RestoreAnswer, with the manifest to"
            + " apply) or a kept disk's", content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = RestoreAnswer.class)))
    @APIResponse(responseCode = "400", description = E_RESTORE, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "409", description = E_RESTORE, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response restore(@QueryParam("name") String name, @QueryParam("deleted") @DefaultValue("false") boolean deleted,
                            @QueryParam("kept") String kept, String body) {
        String from;
        String as;
        try {
            from = BackupsResource.text(body, "from");
            as = BackupsResource.text(body, "as");
        } catch (IllegalArgumentException e) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, e.getMessage(), List.of());
        }
        if (from != null) {
            if (name != null || deleted) {
                return ApiErrors.error(Response.Status.BAD_REQUEST, "a body {from} restores an archive: give no ?name"
                        + " or deleted=true with it; nothing was changed", List.of());
            }
            return fromArchive(java.nio.file.Path.of(from), as);
        }
        if (name == null || name.isBlank()) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, "say what to restore: a body {\"from\": \"/path/file\","
                    + " \"as\": \"new\"}, or ?name=NAME&deleted=true", List.of());
        }
        if (!deleted) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, "say what to restore from: deleted=true (the disk kept"
                    + " when " + name + " was deleted); nothing was changed", List.of());
        }
        DeletedDisks.Restored answer;
        try {
            answer = DeletedDisks.restore(runtimes, name, kept, retention);
        } catch (RuntimeFailure e) {
            return ApiErrors.error(Response.Status.CONFLICT, e.getMessage(), List.of());
        }
        queue.enqueue(name);
        return Response.ok(answer).build();
    }

    private Response fromArchive(java.nio.file.Path file, String as) {
        return BackupsResource.answer(() -> {
            // Verified first with nothing held (the archive's own name is known after it), then the
            // name held while it is checked and the disk put in place: the loop neither creates it
            // from its base image meanwhile nor acts on it half restored.
            RestoreAnswer a = BackupOps.restore(runtimes, file, as, new ArchiveEvents(book, "RestoreProgress"),
                    (name, work) -> held.hold(name, queue, work));
            book.event(a.name(), "Restored", "its disk restored from " + a.from() + " (a backup of " + a.source()
                    + " made on " + a.sourceHost() + " at " + a.created() + ")");
            queue.enqueue(a.name());
            return a;
        });
    }
}
