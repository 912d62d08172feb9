/**
 * VM base images named by URL ({@code spec.disk.image: {url, sha256}}): downloaded once into the
 * first image directory under their digest, streamed to a {@code .part} file while hashing,
 * resumed with HTTP Range, verified (digest, then the same backing-chain check as any base image)
 * before the rename into place; progress reported to whoever watches (the CLI's terminal, the
 * daemon's events and log).
 *
 * <p>May import: manifest, util.
 */
package io.berth.images;
