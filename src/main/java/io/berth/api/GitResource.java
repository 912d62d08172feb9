package io.berth.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import io.berth.api.dto.ErrorView;
import io.berth.api.dto.GitView;
import io.berth.api.dto.HookAnswer;
import io.berth.reconcile.ReconcileRuns;
import io.berth.source.GitSource;
import io.berth.source.GitSync;
import io.berth.source.GitWebhook;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The git source over HTTP: {@code GET /api/v1/git} (what was fetched and applied when, the last
 * error) and the push webhook {@code POST /api/v1/hooks/git}, which is authenticated by its
 * signature instead of the bearer token (a git host cannot hold Berth's token) — see
 * {@link GitWebhook}. A webhook that passes answers 202 with a reconcile run at once; the fetch and
 * reconcile happen after the answer.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = OpenApi.GIT, description = OpenApi.GIT_TAG)
public class GitResource {

    static final String HOOK_PATH = "/api/v1/hooks/git";
    private static final Logger LOG = Logger.getLogger(GitResource.class);

    private final GitSource git;
    private final ReconcileRuns runs;

    public GitResource(GitSource git, ReconcileRuns runs) {
        this.git = git;
        this.runs = runs;
    }

    @GET
    @Path("/git")
    @Operation(summary = "The git source: what was fetched and applied when, and the last error")
    @APIResponse(responseCode = "200", description = "The git source's state",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = GitView.class)))
    @SecurityRequirement(name = OpenApi.TOKEN)
    @APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "404", description = OpenApi.E404, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public GitView status() {
        return GitView.of(git().status());
    }

    @POST
    @Path("/hooks/git")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "The git host's push webhook (GitHub, Gitea, GitLab style)",
            description = "Authenticated by its HMAC-SHA256 signature over the body (X-Hub-Signature-256: sha256=HEX, with the "
                    + "agent's berth.git.webhook-secret-file), not by the bearer token. A push to the followed branch starts a fetch "
                    + "and reconcile after the answer; replayed deliveries are refused.")
    @SecurityRequirementsSet
    @RequestBody(description = "The push event as the git host sends it (JSON)",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "200", description = "A ping: the signature is right",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = HookAnswer.class)))
    @APIResponse(responseCode = "202", description = "Accepted (a fetch and reconcile run started: id and state) or ignored "
            + "(a push to another branch)", content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = HookAnswer.class)))
    @APIResponse(responseCode = "401", description = "Missing or wrong signature",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "409", description = "Refused as a replay: a delivery already received, or a payload too old",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "404", description = "No git source or no webhook secret on this agent",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response hook(byte[] body, @Context HttpHeaders headers) {
        git();
        GitWebhook hook = git.webhook();
        if (hook == null) {
            throw new NotFoundException("no webhook: this agent has no berth.git.webhook-secret-file");
        }
        Map<String, String> lower = new LinkedHashMap<>();
        headers.getRequestHeaders().forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.getFirst()));
        GitWebhook.Verdict v = hook.check(lower, body == null ? new byte[0] : body);
        if (!v.fetch()) {
            if (v.status() >= 400) {
                LOG.warnf("git webhook refused (%d): %s", v.status(), v.message());
                return Response.status(v.status()).entity(new ErrorView(v.message(), List.of(v.message()))).build();
            }
            return Response.status(v.status()).entity(new HookAnswer(v.message(), null, null)).build();
        }
        ReconcileRuns.Accepted a = runs.webhook("webhook" + (v.delivery() == null ? "" : " " + v.delivery()), v.message());
        return Response.accepted(new HookAnswer(a.message(), a.run().id, a.run().state().name())).build();
    }

    private GitSync git() {
        GitSync g = git.sync();
        if (g == null) {
            throw new NotFoundException("no git source: this agent has no berth.git.url");
        }
        return g;
    }
}
