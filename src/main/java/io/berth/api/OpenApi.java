package io.berth.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The API's OpenAPI 3 document at {@code /q/openapi} (SmallRye OpenAPI builds it at build time from
 * the resources' JAX-RS and OpenAPI annotations; the document's info and the bearer-token scheme
 * are in application.properties): the tags and the texts the resources' annotations share — the
 * error responses of
 * {@link ApiErrors} and {@link ApiAuth} and the manifest request body of plan and apply. Only
 * constants and a documentation-only record; nothing here runs.
 */
public final class OpenApi {

    static final String TOKEN = "token";
    static final String MANIFESTS = "manifests";
    static final String WORKLOADS = "workloads";
    static final String STATS = "stats";
    static final String GIT = "git";
    static final String MANIFESTS_TAG = "Plan and apply manifests";
    static final String WORKLOADS_TAG = "Declared and managed workloads, their logs, reconcile runs and events";
    static final String STATS_TAG = "Utilization now: each workload against its limits, and the host";
    static final String GIT_TAG = "The git source and its push webhook";

    static final String JSON = "application/json";
    static final String YAML = "application/yaml";

    static final String E400 = "Invalid manifests: every error in errors as file:line:col: field: message; nothing was changed";
    static final String E401 = "Missing or wrong bearer token (errors is absent)";
    static final String E404 = "No such workload, run or git source on this agent";
    static final String E409 = "A workload name is declared by another source (the watched directory, git, another API source); "
            + "nothing was changed";
    static final String E503 = "A runtime (Docker or libvirt) cannot be reached, or the sampler has no sample yet";

    static final String BODY = "Manifests, all or nothing: a YAML stream (application/yaml, one or more documents separated by ---), "
            + "one manifest as JSON (application/json), or the files agent apply sends (" + ManifestBodies.FILES + "), "
            + "so that every error names the client's own file and line. The manifest format is the JSON Schema that "
            + "agent schema prints (deploy/schema/berth.schema.json).";

    static final String EXAMPLE_YAML = """
            apiVersion: berth.io/v1
            kind: Container
            metadata: {name: web}
            spec:
              resources:
                limits: {cpu: 500m, memory: 256Mi}
              image: nginx:1.27
              ports: [{containerPort: 80, hostPort: 8080}]
            """;

    /** The body of {@value ManifestBodies#FILES}: the client's manifest files, each with its source. */
    @Schema(name = "ManifestFiles", description = "The manifest files a client sends, with the names errors will point at")
    record Files(@Schema(required = true) List<File> files) {

        @Schema(name = "ManifestFile")
        record File(@Schema(required = true, description = "The file's name, as errors will show it", examples = "web.yaml") String name,
                    @Schema(required = true, description = "The source that will own its workloads (prune only prunes this "
                            + "source's own)", examples = "cli:/etc/berth/manifests") String source,
                    @Schema(required = true, description = "The file's text (YAML)") String content) {
        }
    }

    private OpenApi() {
    }
}
