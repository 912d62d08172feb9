package io.berth.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limits as a runtime enforces them (or, for a workload not created yet, as its manifest asks): JSON
 * {@code {"cpu", "memory", "memorySwap", "pids", "memoryMax"}} in manifest spelling
 * ({@code "unlimited"} for none). A desired workload that does not exist has only {@code cpu} and
 * {@code memory}; {@code memoryMax} (a VM's defined maximum) is there only when the runtime has one.
 * Absent fields are null here and left out of the JSON.
 */
public record LimitsView(String cpu, String memory, @JsonInclude(Include.NON_NULL) String memorySwap,
                         @JsonInclude(Include.NON_NULL) Long pids, @JsonInclude(Include.NON_NULL) String memoryMax) {

    /** The fields present, in order, for people ({@code agent describe}). */
    public Map<String, String> shown() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("cpu", cpu);
        out.put("memory", memory);
        if (memorySwap != null) {
            out.put("memorySwap", memorySwap);
        }
        if (pids != null) {
            out.put("pids", String.valueOf(pids));
        }
        if (memoryMax != null) {
            out.put("memoryMax", memoryMax);
        }
        return out;
    }
}
