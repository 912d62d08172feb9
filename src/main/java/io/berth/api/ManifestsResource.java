package io.berth.api;

import io.berth.reconcile.Answers;
import io.berth.reconcile.ApplyService;

import io.berth.api.dto.ApplyAnswer;
import io.berth.api.dto.PlanView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /api/v1/plan} and {@code /apply}: manifests in the body (YAML, JSON, or the files a
 * client sends), validated whole — bad input is a 400 with every manifest error line, a name
 * owned by another source a 409, an unreachable runtime a 503; never a 500 for a user mistake.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class ManifestsResource {

    private final ManifestBodies bodies;
    private final ApplyService apply;

    public ManifestsResource(ManifestBodies bodies, ApplyService apply) {
        this.bodies = bodies;
        this.apply = apply;
    }

    @POST
    @Path("/plan")
    public PlanView plan(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                                    @QueryParam("source") String source, @QueryParam("prune") @DefaultValue("false") boolean prune) {
        ApplyService.Request request = bodies.read(body, type, source, prune);
        return Answers.plan(apply.plan(request)).withElsewhere(apply.elsewhere(request));
    }

    @POST
    @Path("/apply")
    public ApplyAnswer apply(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                                     @QueryParam("source") String source, @QueryParam("prune") @DefaultValue("false") boolean prune,
                                     @QueryParam("dryRun") @DefaultValue("false") boolean dryRun) {
        ApplyService.Request request = bodies.read(body, type, source, prune);
        return apply.apply(request, dryRun, apply.timeout());
    }
}
