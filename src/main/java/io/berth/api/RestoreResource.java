package io.berth.api;

import io.berth.reconcile.WorkQueue;
import io.berth.runtime.DeletedDisks;
import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeSet;
import jakarta.ws.rs.DefaultValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.List;

/**
 * {@code POST /api/v1/restore?name=NAME&deleted=true[&kept=STAMP]} (CONTRACT §6.2): a deleted VM's
 * kept disk back in place ({@link DeletedDisks}), 200 with what was restored; 409 when it is refused
 * (nothing kept, or a workload of that name exists), 400 without {@code deleted=true} (archives
 * are not restored yet). The name is reconciled right after, so a manifest that still declares it
 * creates it with the restored disk.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RestoreResource {

    private final RuntimeSet runtimes;
    private final WorkQueue<String> queue;
    private final Duration retention;

    public RestoreResource(RuntimeSet runtimes, WorkQueue<String> queue,
                           @ConfigProperty(name = "berth.retention.deleted", defaultValue = "72h") Duration retention) {
        this.runtimes = runtimes;
        this.queue = queue;
        this.retention = retention;
    }

    @POST
    @Path("/restore")
    public Response restore(@QueryParam("name") String name, @QueryParam("deleted") @DefaultValue("false") boolean deleted,
                            @QueryParam("kept") String kept) {
        if (name == null || name.isBlank()) {
            return ApiErrors.error(Response.Status.BAD_REQUEST, "name is required: ?name=NAME&deleted=true", List.of());
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
}
