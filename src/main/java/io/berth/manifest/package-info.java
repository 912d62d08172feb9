/**
 * The manifest format (CONTRACT §1): parsing YAML with positions, validation with errors at
 * file:line:col, quantities, the canonical form and spec hash that drift detection compares, the
 * host policy (image directories, privileged) and this host's identity for placement. Pure: reads
 * files, acts on nothing.
 *
 * <p>May import: util.
 */
package io.berth.manifest;
