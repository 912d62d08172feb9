package io.berth.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.berth.api.dto.ErrorView;
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
@Tag(name = OpenApi.MANIFESTS, description = OpenApi.MANIFESTS_TAG)
@SecurityRequirement(name = OpenApi.TOKEN)
@APIResponse(responseCode = "400", description = OpenApi.E400, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
@APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
@APIResponse(responseCode = "409", description = OpenApi.E409, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
@APIResponse(responseCode = "503", description = OpenApi.E503, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
public class ManifestsResource {

    private final ManifestBodies bodies;
    private final ApplyService apply;

    public ManifestsResource(ManifestBodies bodies, ApplyService apply) {
        this.bodies = bodies;
        this.apply = apply;
    }

    @POST
    @Path("/plan")
    @Operation(summary = "What apply would do, changing nothing",
            description = "Validates the manifests and plans them against what runs: each action (create, update in place, "
                    + "recreate, start, delete, unchanged) with the fields that change, old and new, and why.")
    @APIResponse(responseCode = "200", description = "The plan",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = PlanView.class)))
    @RequestBody(required = true, description = OpenApi.BODY, content = {
            @Content(mediaType = OpenApi.YAML, schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "container", value = OpenApi.EXAMPLE_YAML)),
            @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.OBJECT, description = "One manifest as JSON")),
            @Content(mediaType = ManifestBodies.FILES, schema = @Schema(implementation = OpenApi.Files.class))})
    public PlanView plan(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                         @Parameter(description = "The source that owns the body's workloads (YAML and JSON bodies; default api)") @QueryParam("source") String source,
                         @Parameter(description = "Also delete this source's workloads that the body no longer declares") @QueryParam("prune") @DefaultValue("false") boolean prune) {
        ApplyService.Request request = bodies.read(body, type, source, prune);
        return Answers.plan(apply.plan(request)).withElsewhere(apply.elsewhere(request));
    }

    @POST
    @Path("/apply")
    @Operation(summary = "Make this host match the manifests",
            description = "Plans, then runs the plan and waits for the outcome of each action (up to the agent's apply timeout); "
                    + "the workloads become the source's desired state, which the daemon keeps.")
    @APIResponse(responseCode = "200", description = "The plan and what happened to each action",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ApplyAnswer.class)))
    @RequestBody(required = true, description = OpenApi.BODY, content = {
            @Content(mediaType = OpenApi.YAML, schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "container", value = OpenApi.EXAMPLE_YAML)),
            @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.OBJECT, description = "One manifest as JSON")),
            @Content(mediaType = ManifestBodies.FILES, schema = @Schema(implementation = OpenApi.Files.class))})
    public ApplyAnswer apply(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String type,
                             @Parameter(description = "The source that owns the body's workloads (YAML and JSON bodies; default api)") @QueryParam("source") String source,
                             @Parameter(description = "Also delete this source's workloads that the body no longer declares") @QueryParam("prune") @DefaultValue("false") boolean prune,
                             @Parameter(description = "Plan only, as POST /plan does") @QueryParam("dryRun") @DefaultValue("false") boolean dryRun) {
        ApplyService.Request request = bodies.read(body, type, source, prune);
        return apply.apply(request, dryRun, apply.timeout());
    }
}
