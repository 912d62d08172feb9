/**
 * The API's answers as immutable records, shared by the daemon (Quarkus REST serialises them with
 * Jackson) and the CLI (which reads them with the same settings, {@link io.berth.api.dto.Json}, and
 * prints them as tables, JSON or YAML). The JSON of each record is a contract: key names, key order,
 * nulls and number formats are pinned by {@code ApiAnswersTest} against golden files and README.md's
 * "API answers". Maps remain only for open-ended data: the canonical spec tree and per-verb counts.
 *
 * <p>A leaf: the reconcile layer reports outcomes in these records, and the CLI reads them without
 * the daemon.
 *
 * <p>May import: source.git.
 */
package io.berth.api.dto;
