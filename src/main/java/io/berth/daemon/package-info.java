/**
 * {@code agent serve}'s composition root and lifecycle only: the configuration mapping, the CDI
 * producers that make every collaborator ({@link io.berth.daemon.Wiring}), the start and stop of the
 * running parts in order ({@link io.berth.daemon.Daemon}, {@link io.berth.daemon.Startup}), the
 * periodic resync and the readiness it feeds. No rule of the pipeline lives here.
 *
 * <p>May import: api, images, manifest, plan, reconcile, runtime, source, stats, util.
 */
package io.berth.daemon;
