package io.berth.reconcile;

import io.berth.manifest.HostPolicy;
import io.berth.manifest.ManifestParser;
import io.berth.manifest.Workload;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Container workloads for the reconciler tests, parsed as a manifest would be. */
final class TestWorkloads {

    private TestWorkloads() {
    }

    /** A container with requests = limits of {@code cpu} and {@code memory}. */
    static Workload container(String name, String cpu, String memory, String restartPolicy) {
        ManifestParser.ParseResult r = new ManifestParser(HostPolicy.DEFAULT).parse(Path.of(name + ".yaml"), """
                apiVersion: berth.io/v1
                kind: Container
                metadata: {name: %s}
                spec:
                  image: nginx
                  restartPolicy: %s
                  resources: {limits: {cpu: %s, memory: %s}}
                """.formatted(name, restartPolicy, cpu, memory));
        assertThat(r.errors()).isEmpty();
        return r.workloads().getFirst();
    }

    static Workload container(String name) {
        return container(name, "500m", "256Mi", "Always");
    }
}
