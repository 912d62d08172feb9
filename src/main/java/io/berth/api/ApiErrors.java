package io.berth.api;

import io.berth.api.dto.ErrorView;
import io.berth.source.DesiredState;

import io.berth.manifest.ManifestException;
import io.berth.runtime.RuntimeUnavailableException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/**
 * The API's errors, one JSON shape for all: {@code {"error": "one line", "errors": [manifest
 * error lines]}}. Bad manifests are 400, a name owned by another source 409, an unknown workload
 * 404, an unreachable runtime 503, a state directory that cannot record the change (full,
 * read-only) 507 with the cause — a user mistake or a host condition is never a 500.
 */
public class ApiErrors {

    /** HTTP 507 (RFC 4918): the server cannot store what the request needs recorded. */
    static final int INSUFFICIENT_STORAGE = 507;

    @ServerExceptionMapper
    public Response invalid(ManifestBodies.Invalid e) {
        return error(Response.Status.BAD_REQUEST, e.lines.size() + (e.lines.size() == 1 ? " error" : " errors")
                + " in the manifests; nothing was changed", e.lines);
    }

    /** The planner refused manifests against what runs (a disk that would shrink): a 400 like bad manifests. */
    @ServerExceptionMapper
    public Response refused(ManifestException e) {
        List<String> lines = e.errors().stream().map(Object::toString).toList();
        return error(Response.Status.BAD_REQUEST, lines.size() + (lines.size() == 1 ? " error" : " errors")
                + " in the manifests; nothing was changed", lines);
    }

    @ServerExceptionMapper
    public Response conflict(DesiredState.Conflict e) {
        return error(Response.Status.CONFLICT, "declared by another source; nothing was changed", e.lines);
    }

    /** The state directory refused the write (full, read-only): 507, the server could not store it. */
    @ServerExceptionMapper
    public Response unrecorded(DesiredState.Unrecorded e) {
        return Response.status(INSUFFICIENT_STORAGE).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorView(e.getMessage(), List.of())).build();
    }

    @ServerExceptionMapper
    public Response unavailable(RuntimeUnavailableException e) {
        return error(Response.Status.SERVICE_UNAVAILABLE, e.getMessage(), List.of());
    }

    /** Not ready for this yet (no stats sample): 503 with the reason, in the same JSON shape. */
    @ServerExceptionMapper
    public Response notYet(ServiceUnavailableException e) {
        return error(Response.Status.SERVICE_UNAVAILABLE, e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(Response.Status.NOT_FOUND, e.getMessage(), List.of());
    }

    static Response error(Response.Status status, String message, List<String> lines) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorView(message, lines)).build();
    }
}
