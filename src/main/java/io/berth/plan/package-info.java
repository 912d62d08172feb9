/**
 * The pure planner: desired workloads and observed objects in, typed actions out (create, update in
 * place, recreate, start, delete, unchanged), each with the fields that changed, old and new, and
 * why. No I/O: what {@code agent plan} prints is what the executor runs.
 *
 * <p>May import: manifest, runtime.
 */
package io.berth.plan;
