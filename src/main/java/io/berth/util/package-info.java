/**
 * Small helpers with no Berth knowledge: named daemon threads, atomic file writes, host facts
 * read from sysfs and /proc, the undo list of multi-step creations ({@link io.berth.util.Reverter}),
 * and the default state directories.
 *
 * <p>May import: nothing of Berth's.
 */
package io.berth.util;
