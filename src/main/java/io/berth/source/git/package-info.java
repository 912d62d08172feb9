/**
 * The git fetcher (JGit): a shallow fetch of one branch into a bare cache, a commit's manifests read
 * from its tree, https tokens and ssh keys with strict known_hosts, failures as one line naming the
 * setting to check.
 *
 * <p>May import: manifest, util.
 */
package io.berth.source.git;
