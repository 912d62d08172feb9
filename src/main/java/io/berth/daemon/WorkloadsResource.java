package io.berth.daemon;

import io.berth.manifest.Quantities;
import io.berth.manifest.Workload;
import io.berth.runtime.Observed;
import io.berth.runtime.Runtime;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** {@code /api/v1}: workloads (desired + observed + status), reconcile trigger, events. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class WorkloadsResource {

    private final Daemon daemon;

    public WorkloadsResource(Daemon daemon) {
        this.daemon = daemon;
    }

    @GET
    @Path("/workloads")
    public List<Map<String, Object>> workloads() {
        return new ArrayList<>(view().values());
    }

    @GET
    @Path("/workloads/{name}")
    public Map<String, Object> workload(@PathParam("name") String name) {
        Map<String, Object> w = view().get(name);
        if (w == null) {
            throw new NotFoundException("no workload named " + name);
        }
        return w;
    }

    @POST
    @Path("/reconcile")
    public Map<String, Object> reconcile() {
        int n = daemon.enqueueAll();
        return Map.of("id", UUID.randomUUID().toString(), "enqueued", n);
    }

    @GET
    @Path("/events")
    public List<StatusBook.Event> events() {
        return daemon.book().events();
    }

    /** Every desired or managed workload by name: what is wanted, what runs, what the daemon did last. */
    private Map<String, Map<String, Object>> view() {
        Map<String, Workload> desired = daemon.desired();
        Map<String, Observed> observed = new TreeMap<>();
        for (Runtime r : daemon.runtimes().values()) {
            r.list().forEach(o -> observed.put(o.name(), o));
        }
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (String name : union(desired.keySet(), observed.keySet())) {
            Map<String, Object> m = new LinkedHashMap<>();
            Workload w = desired.get(name);
            Observed o = observed.get(name);
            m.put("name", name);
            m.put("kind", w != null ? w.kind().name() : o.kind().name());
            m.put("desired", w != null);
            m.put("state", o == null ? null : o.state().name());
            StatusBook.Status s = daemon.book().get(name);
            m.put("phase", s == null ? null : s.phase().name());
            m.put("lastAction", s == null ? null : s.lastAction());
            m.put("lastError", s == null ? null : s.lastError());
            if (o != null) {
                Map<String, Object> limits = new LinkedHashMap<>();
                limits.put("cpu", o.limits().cpuMillis() == 0 ? "unlimited" : Quantities.formatCpu(o.limits().cpuMillis()));
                limits.put("memory", o.limits().memoryBytes() <= 0 ? "unlimited" : Quantities.formatMemory(o.limits().memoryBytes()));
                m.put("limits", limits);
                m.put("source", o.source());
                m.put("notes", o.notes());
            }
            out.put(name, m);
        }
        return out;
    }

    private static java.util.SortedSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.SortedSet<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
