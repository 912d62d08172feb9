/**
 * {@code agent convert}: Docker Compose files to Berth manifests. Reads the Compose YAML as a
 * SnakeYAML node tree (so every key keeps its file:line:col, as the manifest parser does), maps what
 * Berth can run onto {@code kind: Container} and {@code kind: Network} documents, and names every
 * key it could not carry with its position. Pure: reads the one file it is given, writes nothing.
 *
 * <p>May import: manifest.
 */
package io.berth.convert;
