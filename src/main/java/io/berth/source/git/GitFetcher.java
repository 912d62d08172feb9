package io.berth.source.git;

import io.berth.manifest.ManifestLoader;
import io.berth.util.FileModes;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Follows one branch of one repository: a shallow fetch (depth 1) of the branch head into a bare
 * repository of Berth's own under the state directory, and the manifests of a commit read straight
 * from its tree (no working copy: nothing on disk can drift from the commit). Not thread-safe: the
 * git source uses it from one thread.
 */
public final class GitFetcher implements AutoCloseable {

    /**
     * Where and how to fetch.
     *
     * @param url            file://, https:// or ssh:// (or scp-like {@code git@host:org/repo.git})
     * @param branch         the branch to follow
     * @param tokenFile      for https: a file holding an access token, sent as the password
     * @param username       for https with a token: the user name sent with it
     * @param sshKeyFile     for ssh: a private key file (OpenSSH format, unencrypted), the only key
     *                       offered; when empty, the default keys of ~/.ssh
     * @param knownHostsFile for ssh: the host keys to trust (else ~/.ssh/known_hosts); an unknown
     *                       or changed host key is refused
     * @param timeout        how long one fetch may take
     */
    public record Settings(String url, String branch, Optional<Path> tokenFile, String username,
                           Optional<Path> sshKeyFile, Optional<Path> knownHostsFile, Duration timeout) {
    }

    private final Settings settings;
    /** New heads fetched between two garbage collections of the cache. */
    static final int GC_EVERY = 50;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(GitFetcher.class);

    private final Repository repo;
    private ObjectId lastHead;
    private int newHeads;
    private final String trackingRef;
    private final GitCredentials credentials;

    /**
     * @param gitDir the bare repository to fetch into; created when missing, mode 0700, and what
     *               JGit writes in it (with the process umask) is restricted to 0600 after each
     *               write ({@link #restrictModes})
     */
    public GitFetcher(Settings settings, Path gitDir) throws GitException {
        this.settings = settings;
        this.trackingRef = "refs/berth/" + settings.branch();
        try {
            FileModes.privateDirectory(gitDir);
            repo = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().build();
            if (!repo.getObjectDatabase().exists()) {
                repo.create(true);
            }
            restrictModes();
        } catch (IOException | IllegalStateException e) {
            throw new GitException("cannot open the git cache " + gitDir + ": " + e.getMessage(), e);
        }
        this.credentials = new GitCredentials(settings);
    }

    /** The URL without any password or token in it, for messages, status and ownership labels. */
    public static String displayUrl(String url) {
        try {
            URIish u = new URIish(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (scheme.startsWith("http") && u.getUser() != null) {
                // https://TOKEN@host/... is how tokens are often pasted: over http(s) the user part goes too.
                return u.setUser(null).setPass(null).toString();
            }
            return u.getPass() == null ? url : u.setPass(null).toString();
        } catch (URISyntaxException e) {
            return url;
        }
    }

    /**
     * Fetches the head of the branch (one commit deep) and returns it.
     *
     * @throws GitException with a one-line reason (no stack trace needed) naming the URL, the
     *                      branch and the setting to check where it is a configuration mistake
     */
    public Revision fetch() throws GitException {
        String where = displayUrl(settings.url()) + " branch " + settings.branch();
        try (Git git = new Git(repo)) {
            FetchCommand fetch = git.fetch()
                    .setRemote(settings.url())
                    .setRefSpecs(new RefSpec("+" + Constants.R_HEADS + settings.branch() + ":" + trackingRef))
                    .setDepth(1)
                    .setTimeout((int) Math.max(1, settings.timeout().toSeconds()));
            try {
                credentials.configure(fetch);
            } catch (GitException e) {
                throw new GitException("cannot fetch " + where + ": " + e.getMessage(), e);
            }
            try {
                fetch.call();
            } finally {
                restrictModes(); // also after a failed fetch: it may have written packs and locks
            }
            Ref ref = repo.exactRef(trackingRef);
            if (ref == null) {
                // JGit reports a missing branch itself; this is the belt to its braces.
                throw new GitException("cannot fetch " + where + ": the fetch brought no commit (check berth.git.branch)");
            }
            if (!ref.getObjectId().equals(lastHead)) {
                lastHead = ref.getObjectId();
                if (++newHeads % GC_EVERY == 0) {
                    collectGarbage();
                    restrictModes();
                }
            }
            return revision(ref.getObjectId());
        } catch (GitAPIException | IOException | RuntimeException e) {
            String why = credentials.explain(e).orElseGet(() -> FetchFailures.reason(e, settings));
            throw new GitException("cannot fetch " + where + ": " + why, e);
        }
    }

    /**
     * JGit creates its files with the process umask (0644 and 0444 under the usual 022) and offers
     * no setting for it; the cache's directory is 0700 already, and this takes group and other
     * bits off everything in it, so no file of the cache is readable by anyone but root even if
     * the directory is opened up later.
     */
    private void restrictModes() throws IOException {
        FileModes.restrictTree(repo.getDirectory().toPath());
    }

    /**
     * Every fetch of a new head adds a pack; after {@value #GC_EVERY} of them the cache is
     * repacked into one pack (and what no ref reaches is dropped), so a daemon following a busy
     * branch for a year does not search thousands of packs. The commits fetched since the first
     * fetch stay (each new head's parent is already there): a manifest repository's history is
     * small. A failure is logged, never fatal.
     */
    void collectGarbage() {
        try (Git git = new Git(repo)) {
            repo.getConfig().setString("gc", null, "prunePackExpire", "now");
            git.gc().setExpire(new java.util.Date()).setPreserveOldPacks(false).call();
        } catch (GitAPIException | RuntimeException e) {
            LOG.warnf("git cache %s: garbage collection failed (the cache keeps working, only larger): %s",
                    repo.getDirectory(), e.getMessage());
        }
    }

    /**
     * The manifests of a commit under {@code path} ("" or "." for the whole repository), keyed by
     * their path in the repository, in path order; the same files the watched directory would read
     * (ManifestLoader's name rule; dot-directories, symbolic links and submodules skipped). A file
     * over the manifest size limit is passed on truncated, so the loader reports it.
     *
     * @throws GitException when the commit is not here or the path is not a directory in it
     */
    public Map<Path, byte[]> files(String commit, String path) throws GitException {
        String dir = normalize(path);
        if (Arrays.asList(dir.split("/")).contains("..")) {
            throw new GitException("berth.git.path " + path.strip() + " leaves the repository (\"..\" is not allowed)");
        }
        ObjectId id;
        try {
            id = ObjectId.fromString(commit);
        } catch (IllegalArgumentException e) {
            throw new GitException("\"" + commit + "\" is not a commit id (40 hex digits)", e);
        }
        Map<Path, byte[]> out = new LinkedHashMap<>();
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            RevCommit c = walk.parseCommit(id);
            tree.addTree(c.getTree());
            tree.setRecursive(false);
            if (!dir.isEmpty()) {
                tree.setFilter(PathFilter.create(dir));
            }
            boolean found = dir.isEmpty();
            while (tree.next()) {
                String p = tree.getPathString();
                FileMode mode = tree.getFileMode(0);
                boolean inside = dir.isEmpty() || p.startsWith(dir + "/");
                if (p.equals(dir)) {
                    if (mode != FileMode.TREE) {
                        throw new GitException("path " + dir + " in commit " + Revision.abbreviate(commit) + " is "
                                + notADirectory(mode) + " (berth.git.path names a directory of the repository)");
                    }
                    found = true;
                }
                if (mode == FileMode.TREE) {
                    // Down to the path (its parents may be dot-directories: it was named), then below it
                    // every directory but dot-directories, as the watched directory is read.
                    if (p.equals(dir) || dir.startsWith(p + "/") || (inside && !tree.getNameString().startsWith("."))) {
                        tree.enterSubtree();
                    }
                    continue;
                }
                if (!inside || (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE)
                        || !ManifestLoader.isManifestName(tree.getNameString())) {
                    continue;
                }
                ObjectLoader blob = repo.open(tree.getObjectId(0));
                long cap = ManifestLoader.MAX_FILE_BYTES + 1L;
                byte[] bytes = blob.getSize() <= cap ? blob.getBytes()
                        : blob.openStream().readNBytes((int) cap);
                out.put(Path.of(p), bytes);
            }
            if (!found) {
                throw new GitException("no directory " + dir + " in commit " + Revision.abbreviate(commit)
                        + " (berth.git.path names a directory of the repository)");
            }
            return out;
        } catch (MissingObjectException e) {
            throw new GitException("commit " + Revision.abbreviate(commit) + " is not in the git cache: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new GitException("cannot read commit " + Revision.abbreviate(commit) + ": " + e.getMessage(), e);
        }
    }

    private static String notADirectory(FileMode mode) {
        if (mode == FileMode.SYMLINK) {
            return "a symbolic link, not a directory (links are not followed)";
        }
        if (mode == FileMode.GITLINK) {
            return "a submodule, not a directory (submodules are not fetched)";
        }
        return "a file, not a directory";
    }

    private Revision revision(ObjectId id) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(id);
            return new Revision(c.getName(), c.getShortMessage(), c.getAuthorIdent().getName(),
                    Instant.ofEpochSecond(c.getCommitTime()));
        }
    }

    /**
     * "manifests/", "./manifests", "/manifests" and "manifests" are one directory; "", "." and "/" the
     * root. Empty and "." segments go (the tree walk matches paths literally); ".." stays, for
     * {@link #files} to refuse.
     */
    static String normalize(String path) {
        String p = path == null ? "" : path.strip().replace('\\', '/');
        StringJoiner out = new StringJoiner("/");
        for (String segment : p.split("/")) {
            if (!segment.isEmpty() && !segment.equals(".")) {
                out.add(segment);
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        credentials.close();
        repo.close();
    }
}
