package io.berth.api;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import io.berth.api.dto.ErrorView;
import io.berth.api.dto.EventView;
import io.berth.reconcile.ApplyService;
import io.berth.reconcile.ReconcileRuns;
import io.berth.reconcile.StatusBook;
import io.berth.source.DesiredState;

import io.berth.api.dto.OutcomeView;
import io.berth.api.dto.RunView;
import io.berth.api.dto.WorkloadView;
import io.berth.runtime.LogSource;
import io.berth.runtime.Observed;
import io.berth.runtime.Agent;
import io.berth.runtime.RuntimeSet;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code /api/v1}: workloads (desired + observed + status; one workload with its spec and recent
 * events, for {@code agent describe}), delete, logs, the reconcile trigger and the events.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = OpenApi.WORKLOADS, description = OpenApi.WORKLOADS_TAG)
@SecurityRequirement(name = OpenApi.TOKEN)
@APIResponse(responseCode = "401", description = OpenApi.E401, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
public class WorkloadsResource {

    private final Agent agent;
    private final DesiredState desiredState;
    private final StatusBook book;
    private final RuntimeSet runtimes;
    private final ApplyService apply;
    private final ReconcileRuns runs;

    public WorkloadsResource(Agent agent, DesiredState desiredState, StatusBook book, RuntimeSet runtimes,
                             ApplyService apply, ReconcileRuns runs) {
        this.agent = agent;
        this.desiredState = desiredState;
        this.book = book;
        this.runtimes = runtimes;
        this.apply = apply;
        this.runs = runs;
    }

    @GET
    @Path("/workloads")
    @Operation(summary = "Every workload declared or managed here: desired, observed and status")
    @APIResponse(responseCode = "200", description = "The workloads, by name",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = WorkloadView.class)))
    @APIResponse(responseCode = "503", description = OpenApi.E503, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public List<WorkloadView> workloads() {
        return new ArrayList<>(view().values());
    }

    @GET
    @Path("/workloads/{name}")
    @Operation(summary = "One workload, with its canonical spec and recent events (agent describe)")
    @APIResponse(responseCode = "200", description = "The workload",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = WorkloadView.class)))
    @APIResponse(responseCode = "404", description = OpenApi.E404, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "503", description = OpenApi.E503, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public WorkloadView workload(@Parameter(description = "The workload's metadata.name", example = "web") @PathParam("name") String name) {
        WorkloadView w = view().get(name);
        if (w == null) {
            throw new NotFoundException("no workload named " + name + " is declared or managed by agent " + agent.name());
        }
        DesiredState.Entry e = desiredState.find(name);
        return w.withDetail(e == null ? null : runtimes.redaction().tree(e.workload()),
                Views.events(book.events().stream().filter(ev -> name.equals(ev.name())).toList()));
    }

    @DELETE
    @Path("/workloads/{name}")
    @Operation(summary = "Delete a workload now and wait for the outcome",
            description = "A workload still declared by its source comes back at the next reconcile; remove it from the source.")
    @APIResponse(responseCode = "200", description = "What the delete did",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = OutcomeView.class)))
    @APIResponse(responseCode = "404", description = OpenApi.E404, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    @APIResponse(responseCode = "503", description = OpenApi.E503, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public OutcomeView delete(@Parameter(description = "The workload's metadata.name", example = "web") @PathParam("name") String name) {
        if (!view().containsKey(name)) {
            throw new NotFoundException("no workload named " + name + " is declared or managed by agent " + agent.name());
        }
        return apply.delete(name, apply.timeout());
    }

    @GET
    @Path("/workloads/{name}/logs")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "A workload's output: a container's stdout and stderr, a VM's serial console")
    @APIResponse(responseCode = "200", description = "The log as text; with follow=true it streams until the client leaves",
            content = @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = OpenApi.E404, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public Response logs(@Parameter(description = "The workload's metadata.name", example = "web") @PathParam("name") String name,
                         @Parameter(description = "Only the last N lines; -1 for all") @QueryParam("tail") @DefaultValue("-1") int tail,
                         @Parameter(description = "Keep streaming new output") @QueryParam("follow") @DefaultValue("false") boolean follow,
                         @Context ServerRequestContext request) {
        if (runtimes.owner(name).orElse(null) instanceof LogSource logs) {
            StreamingOutput body = out -> logs.logs(name, tail, follow, out, ClientGone.signal(request));
            return Response.ok(body, MediaType.TEXT_PLAIN_TYPE).build();
        }
        throw new NotFoundException("no workload named " + name + " is managed by agent " + agent.name());
    }

    /**
     * Starts a reconcile: the git source is fetched (when there is one), then every workload is
     * reconciled. Answers 202 with the run at once; poll {@code GET /api/v1/reconcile/{id}}.
     */
    @POST
    @Path("/reconcile")
    @Operation(summary = "Start a reconcile of everything (the git source is fetched first)")
    @APIResponse(responseCode = "202", description = "The run, started; poll GET /api/v1/reconcile/{id}",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = RunView.class)))
    public Response reconcile() {
        return Response.accepted(runs.start("api").view()).build();
    }

    @GET
    @Path("/reconcile/{id}")
    @Operation(summary = "A reconcile run: running, succeeded or failed, with each workload's outcome")
    @APIResponse(responseCode = "200", description = "The run",
            content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = RunView.class)))
    @APIResponse(responseCode = "404", description = OpenApi.E404, content = @Content(mediaType = OpenApi.JSON, schema = @Schema(implementation = ErrorView.class)))
    public RunView reconcileRun(@Parameter(description = "The run's id from POST /api/v1/reconcile") @PathParam("id") String id) {
        ReconcileRuns.Run run = runs.get(id);
        if (run == null) {
            throw new NotFoundException("no reconcile " + id + " (the last " + ReconcileRuns.KEEP + " are kept)");
        }
        return run.view();
    }

    /** Recent events; with {@code ?watch=true}, then every new one as a server-sent event. */
    @GET
    @Path("/events")
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    @Operation(summary = "Recent events; with watch=true, then each new one as a server-sent event")
    @APIResponse(responseCode = "200", description = "The recent events (JSON), or the stream (text/event-stream: "
            + "event: TYPE, data: the event as JSON)", content = {
            @Content(mediaType = OpenApi.JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = EventView.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING))})
    public Response events(@Parameter(description = "Stream new events as server-sent events") @QueryParam("watch") @DefaultValue("false") boolean watch,
                           @Context ServerRequestContext request) {
        if (!watch) {
            return Response.ok(Views.events(book.events()), MediaType.APPLICATION_JSON_TYPE).build();
        }
        return Response.ok(EventStream.of(book, ClientGone.signal(request)), MediaType.SERVER_SENT_EVENTS_TYPE)
                .header("Cache-Control", "no-cache").build();
    }

    /** Every desired or managed workload by name: what is wanted, what runs, what the daemon did last. */
    private Map<String, WorkloadView> view() {
        Map<String, DesiredState.Entry> desired = desiredState.all();
        Map<String, Observed> observed = new TreeMap<>();
        RuntimeSet.Listing listing = runtimes.list();
        listing.observed().forEach(o -> observed.put(o.name(), o));
        List<String> unavailable = listing.failed().keySet().stream().map(Enum::name).toList();
        Map<String, WorkloadView> out = new TreeMap<>();
        SortedSet<String> names = new TreeSet<>(desired.keySet());
        names.addAll(observed.keySet());
        for (String name : names) {
            out.put(name, Views.workload(name, desired.get(name), observed.get(name), book.get(name), unavailable));
        }
        return out;
    }
}
