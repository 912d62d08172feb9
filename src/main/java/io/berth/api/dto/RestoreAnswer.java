package io.berth.api.dto;

import java.util.List;

/**
 * What {@code agent restore --from FILE [--as NEW]} (and {@code POST /api/v1/restore} with a body)
 * did: the workload {@code name} now has the archive's data in place ({@code files}); {@code
 * manifest} is its manifest (the archive's spec under that name) to apply; {@code source},
 * {@code sourceHost} and {@code created} say where the archive came from. Immutable.
 */
public record RestoreAnswer(String name, String kind, String from, String source, String sourceHost, String created,
                            List<String> files, String manifest, String next, List<String> notes) {
}
