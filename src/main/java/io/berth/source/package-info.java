/**
 * Desired state and where it comes from: the watched directory
 * ({@link io.berth.source.ManifestDirectory}), sources applied through the API (persisted), and the
 * git source ({@link io.berth.source.GitSync}) with its signed push webhook, all behind
 * {@link io.berth.source.DesiredState}, where a name belongs to one source and each source prunes
 * only its own. Sources only say which names changed; they never act on the host.
 *
 * <p>May import: manifest, source.git, util.
 */
package io.berth.source;
