package io.berth.api;

import io.berth.api.dto.ErrorView;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Every {@code /api} call needs {@code Authorization: Bearer <token>} (CONTRACT §3); health and
 * metrics need none, and the git webhook is signed instead. The token is compared in constant
 * time; any mismatch is a 401 that says only that, never why.
 */
public class ApiAuth {

    private final Token token;

    public ApiAuth(Token token) {
        this.token = token;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api") || path.equals(GitResource.HOOK_PATH)) {
            // The git webhook is authenticated by its HMAC signature (GitWebhook), not the token.
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.startsWith("Bearer ") ? header.substring("Bearer ".length()) : null;
        if (token.matches(presented)) {
            return Optional.empty();
        }
        return Optional.of(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type(MediaType.APPLICATION_JSON)
                .entity(new ErrorView("missing or wrong bearer token (see STATE/token)", null))
                .build());
    }
}
