package io.berth.source.git;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.internal.transport.sshd.OpenSshServerKeyDatabase;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.KeyPasswordProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ssh for one followed repository, through JGit's Apache MINA sshd transport, set up so that a
 * daemon's fetch does the same thing on every host whatever its {@code ~/.ssh} holds:
 * <ul>
 * <li>the identity is {@code berth.git.ssh-key-file} and nothing else when it is set (no scanning
 * of {@code ~/.ssh}, no ssh agent); without it, the default keys of {@code ~/.ssh};</li>
 * <li>only public-key authentication: no password or keyboard-interactive prompt anyone would
 * have to answer;</li>
 * <li>the server's host key must be in {@code berth.git.known-hosts-file} (else
 * {@code ~/.ssh/known_hosts}); an unknown or changed key is refused, never accepted or written
 * down (strict checking is forced, whatever an ssh config says: Berth reads none);</li>
 * <li>a key with a passphrase is refused with a message: nobody is there to type it.</li>
 * </ul>
 * One session factory serves every fetch of the fetcher (set per command, not JGit's global
 * one, so two repositories never share keys); it caches no keys, so a replaced key file is read
 * at the next fetch, and each session stops its own sshd client when the fetch ends, so a
 * long-running daemon keeps no ssh threads between fetches. Not thread-safe, like the fetcher.
 */
final class SshSessions implements AutoCloseable {

    private final String url;
    private final Optional<Path> keyFile;
    private final Path knownHosts;
    private final boolean knownHostsSet;
    private final Path sshDir;
    private final StrictKnownHosts hostKeys;
    private final SshdSessionFactory factory;
    /** Set while a fetch runs when a key needed a passphrase: its path. */
    private volatile String encryptedKey;

    SshSessions(String url, Optional<Path> keyFile, Optional<Path> knownHostsFile) {
        this.url = url;
        this.keyFile = keyFile.map(Path::toAbsolutePath);
        File home = new File(System.getProperty("user.home"));
        File sshDir = new File(home, ".ssh");
        this.sshDir = sshDir.toPath();
        this.knownHosts = knownHostsFile.map(Path::toAbsolutePath).orElse(this.sshDir.resolve("known_hosts"));
        this.knownHostsSet = knownHostsFile.isPresent();
        this.hostKeys = new StrictKnownHosts(knownHosts, host());
        SshdSessionFactoryBuilder builder = new SshdSessionFactoryBuilder()
                .setHomeDirectory(home)
                .setSshDirectory(sshDir)
                // No ssh config: its IdentityFile, StrictHostKeyChecking or UserKnownHostsFile would
                // override the settings, differently on every host.
                .setConfigFile(dir -> null)
                .setPreferredAuthentications("publickey")
                .setConnectorFactory(null)
                .setServerKeyDatabase((h, d) -> hostKeys)
                .setKeyPasswordProvider(this::noPassphrase);
        this.keyFile.ifPresent(k -> builder.setDefaultIdentities(dir -> List.of(k)));
        // No key cache: keys are read at every fetch, so a rotated key needs no restart.
        this.factory = builder.build(null);
    }

    /** Checks the files the settings name and sets the session factory on the command. */
    void configure(TransportCommand<?, ?> command) throws GitException {
        if (keyFile.isPresent() && !Files.isReadable(keyFile.get())) {
            throw new GitException("berth.git.ssh-key-file: " + (Files.exists(keyFile.get())
                    ? "permission denied reading " : "no such file ") + keyFile.get());
        }
        if (!Files.isRegularFile(knownHosts)) {
            throw new GitException((knownHostsSet ? "berth.git.known-hosts-file: no such file " + knownHosts
                    : "no " + knownHosts + " to check the host key against (set berth.git.known-hosts-file)")
                    + "; check the host's fingerprint and add its key, e.g. " + keyscan());
        }
        hostKeys.refusal = null;
        encryptedKey = null;
        command.setCredentialsProvider(null);
        command.setTransportConfigCallback(transport -> {
            if (transport instanceof SshTransport ssh) {
                ssh.setSshSessionFactory(factory);
            }
        });
    }

    /** What the failed fetch ran into, when it was the host key or the key: the operator's fix. */
    Optional<String> explain(Throwable failure) {
        StrictKnownHosts.Refusal r = hostKeys.refusal;
        if (r != null) {
            String key = r.keyType + " key " + r.fingerprint;
            return Optional.of(switch (r.kind) {
                case UNKNOWN -> "the host key of " + hostPort() + " (" + key + ") is not in " + knownHosts
                        + "; unknown hosts are refused: check the fingerprint and add the key, e.g. " + keyscan();
                case CHANGED -> "the host key of " + hostPort() + " (" + key + ") differs from the one in " + knownHosts
                        + ": the host was reinstalled, or someone is in between; only if the new key is expected, replace"
                        + " the line (ssh-keygen -R " + knownHostsName() + " -f " + knownHosts + "; " + keyscan() + ")";
                case REVOKED -> "the host key of " + hostPort() + " (" + key + ") is marked @revoked in " + knownHosts;
            });
        }
        if (encryptedKey != null) {
            return Optional.of("the ssh key " + encryptedKey + " is protected by a passphrase, which Berth cannot type:"
                    + " use a key without one (berth.git.ssh-key-file)");
        }
        if (FetchFailures.hasMessageContaining(failure, "No more authentication methods available")) {
            String keys = keyFile.map(k -> "the ssh key " + k)
                    .orElse("the default ssh keys in " + sshDir + " (berth.git.ssh-key-file is not set)");
            return Optional.of("the server refused " + keys + " for user " + user() + " (is its public key in the"
                    + " server's authorized keys, or a deploy key of the repository? check berth.git.ssh-key-file and"
                    + " the user in berth.git.url)");
        }
        return Optional.empty();
    }

    private KeyPasswordProvider noPassphrase(CredentialsProvider ignored) {
        return new KeyPasswordProvider() {
            @Override
            public char[] getPassphrase(URIish uri, int attempt) {
                encryptedKey = uri.getPath() == null ? uri.toString() : uri.getPath();
                return null;
            }

            @Override
            public void setAttempts(int attempts) {
                // one attempt, without a passphrase
            }

            @Override
            public boolean keyLoaded(URIish uri, int attempt, Exception error) {
                return false;
            }
        };
    }

    private URIish uri() {
        try {
            return new URIish(url);
        } catch (URISyntaxException e) {
            return new URIish();
        }
    }

    private String host() {
        return uri().getHost() == null ? "?" : uri().getHost();
    }

    private int port() {
        return uri().getPort() > 0 ? uri().getPort() : 22;
    }

    private String user() {
        return uri().getUser() != null ? uri().getUser() : System.getProperty("user.name");
    }

    private String hostPort() {
        return host() + ":" + port();
    }

    /** The host as known_hosts names it: "host" on port 22, "[host]:port" elsewhere. */
    private String knownHostsName() {
        return port() == 22 ? host() : "'[" + host() + "]:" + port() + "'";
    }

    private String keyscan() {
        return "ssh-keyscan " + (port() == 22 ? "" : "-p " + port() + " ") + host() + " >> " + knownHosts;
    }

    @Override
    public void close() {
        factory.close();
    }

    /**
     * The known_hosts check of OpenSSH's {@code StrictHostKeyChecking yes}, over one file: JGit's
     * own parser (hashed names, {@code [host]:port}, markers), asked with strict checking and no
     * one to ask, so it never accepts or writes a key. A refusal is remembered for the message.
     */
    static final class StrictKnownHosts implements ServerKeyDatabase {

        enum Kind { UNKNOWN, CHANGED, REVOKED }

        record Refusal(Kind kind, String keyType, String fingerprint) {
        }

        private final ServerKeyDatabase file;
        private final Path path;
        private final String host;
        volatile Refusal refusal;

        /** @param host the host as the URL names it (known_hosts may name it so, or by address) */
        StrictKnownHosts(Path knownHosts, String host) {
            // false: never offer to create the file (there is no one to offer it to).
            this.file = new OpenSshServerKeyDatabase(false, List.of(knownHosts));
            this.path = knownHosts;
            this.host = host;
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return file.lookup(connectAddress, remoteAddress, strict(config));
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            if (file.accept(connectAddress, remoteAddress, serverKey, strict(config), null)) {
                return true;
            }
            refusal = new Refusal(classify(remoteAddress, serverKey), KeyUtils.getKeyType(serverKey),
                    KeyUtils.getFingerPrint(BuiltinDigests.sha256, serverKey));
            return false;
        }

        /**
         * Why the key was refused, for the message (the refusal itself is JGit's): JGit's lookup
         * leaves out {@code @revoked} lines, so the file is read again here, with sshd's parser.
         */
        private Kind classify(InetSocketAddress remote, PublicKey serverKey) {
            List<KnownHostEntry> entries;
            try {
                entries = KnownHostEntry.readKnownHostEntries(path);
            } catch (IOException | RuntimeException e) {
                return Kind.UNKNOWN;
            }
            boolean otherKey = false;
            for (KnownHostEntry e : entries) {
                boolean forThisHost = (e.isHostMatch(host, remote.getPort()) || e.isHostMatch(
                        remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress(),
                        remote.getPort()));
                if (!forThisHost || e.getKeyEntry() == null) {
                    continue;
                }
                if ("revoked".equals(e.getMarker()) && KeyUtils.compareKeys(key(e), serverKey)) {
                    return Kind.REVOKED;
                }
                otherKey |= e.getMarker() == null;
            }
            return otherKey ? Kind.CHANGED : Kind.UNKNOWN;
        }

        private static PublicKey key(KnownHostEntry e) {
            try {
                return e.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
            } catch (IOException | GeneralSecurityException | RuntimeException ex) {
                return null;
            }
        }

        /** The session's configuration, but only our file and strict checking. */
        private static Configuration strict(Configuration config) {
            return new Configuration() {
                @Override
                public List<String> getUserKnownHostsFiles() {
                    return List.of();
                }

                @Override
                public List<String> getGlobalKnownHostsFiles() {
                    return List.of();
                }

                @Override
                public StrictHostKeyChecking getStrictHostKeyChecking() {
                    return StrictHostKeyChecking.REQUIRE_MATCH;
                }

                @Override
                public boolean getHashKnownHosts() {
                    return false;
                }

                @Override
                public String getUsername() {
                    return config.getUsername();
                }
            };
        }
    }
}
