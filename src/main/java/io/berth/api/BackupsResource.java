package io.berth.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.dto.BackupAnswer;
import io.berth.api.dto.ErrorView;
import io.berth.backup.BackupOps;
import io.berth.reconcile.HeldNames;
import io.berth.reconcile.StatusBook;
import io.berth.reconcile.WorkQueue;
import io.berth.runtime.Agent;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeSet;
import io.berth.runtime.Snapshots;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.util.List;

/**
 * {@code POST /api/v1/workloads/{name}/backup} (CONTRACT §6.2): a backup archive of a VM written
 * into a directory on the daemon's host ({@link BackupOps}), with the name {@linkplain HeldNames
 * held} while it runs, {@code BackupProgress} events at each quarter ({@link ArchiveEvents}) and a
 * {@code BackupCreated} event after. 400: the directory, the body or the
 * workload's kind (a container) cannot be backed up; 404 no such workload; 409 refused.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = OpenApi.WORKLOADS, description = OpenApi.WORKLOADS_TAG)
@SecurityRequirement(name = OpenApi.TOKEN)
@APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
public class BackupsResource {

    static final String E_BACKUP = "400 an invalid directory or body, or a container (no backups yet); 404 no such"
            + " workload; 409 refused; nothing was written";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RuntimeSet runtimes;
    private final WorkQueue<String> queue;
    private final HeldNames held;
    private final StatusBook book;
    private final Agent agent;

    public BackupsResource(RuntimeSet runtimes, WorkQueue<String> queue, HeldNames held, StatusBook book, Agent agent) {
        this.runtimes = runtimes;
        this.queue = queue;
        this.held = held;
        this.book = book;
        this.agent = agent;
    }

    /** The body's {@code {"to": "/dir"}}. */
    public record BackupRequest(String to) {
    }

    @POST
    @Path("/workloads/{name}/backup")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Write a backup archive of a VM into a directory on the daemon's host: NAME-<UTC>.berth.tar")
    @RequestBody(content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = BackupRequest.class)))
    @APIResponse(responseCode = "200", description = "The archive written",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = BackupAnswer.class)))
    @APIResponse(responseCode = "400", description = E_BACKUP, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "404", description = E_BACKUP, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "409", description = E_BACKUP, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response backup(@PathParam("name") String name, String body) {
        String to;
        try {
            to = text(body, "to");
        } catch (IllegalArgumentException e) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, e.getMessage(), List.of());
        }
        if (to == null) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, "the body must be {\"to\": \"/absolute/dir\"} (a directory"
                    + " on the daemon's host); nothing was written", List.of());
        }
        return answer(() -> held.hold(name, queue, () -> {
            BackupAnswer a = BackupOps.backup(runtimes, agent.name(), name, java.nio.file.Path.of(to),
                    new ArchiveEvents(book, "BackupProgress"));
            book.event(name, "BackupCreated", "backed up to " + a.file() + " (point in time: snapshot " + a.snapshot()
                    + " at " + a.pointInTime() + ")");
            return a;
        }));
    }

    /** A string field of a JSON object body, or null when the body is empty or lacks it. */
    static String text(String body, String field) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getMessage().lines().findFirst().orElse("") + "; nothing was changed");
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object; nothing was changed");
        }
        JsonNode v = n.get(field);
        if (v != null && !v.isNull() && !v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string; nothing was changed");
        }
        return v == null || v.isNull() ? null : v.asText();
    }

    static Response answer(java.util.function.Supplier<?> op) {
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
