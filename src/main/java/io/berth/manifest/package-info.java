/**
 * The manifest format (CONTRACT §1): parsing YAML with positions (of each document and of each
 * field), validation with errors at file:line:col, quantities, the canonical form and spec hash
 * that drift detection compares, the host policy (image directories, privileged, a base image's
 * whole backing chain, read with {@code qemu-img info}) and this host's identity for placement.
 * Pure: reads files, acts on nothing.
 *
 * <p>May import: util.
 */
package io.berth.manifest;
