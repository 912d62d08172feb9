package io.berth.source.git;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway OpenSSH server for the ssh fetch tests: the system's {@code /usr/sbin/sshd} in the
 * foreground on a free port of 127.0.0.1, with its own host key, config, authorized keys and pid
 * file in a temporary directory, so it touches nothing of the machine's ssh setup. Logins run
 * the system's git-upload-pack, as on a real git server. {@link #close()} stops it and every
 * connection process it forked.
 */
final class PrivateSshd implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");

    final Path dir;
    final int port;
    final Path hostKey;
    final Path authorizedKeys;
    final Path log;
    private final Process process;

    private PrivateSshd(Path dir, int port, Path hostKey, Path authorizedKeys, Path log, Process process) {
        this.dir = dir;
        this.port = port;
        this.hostKey = hostKey;
        this.authorizedKeys = authorizedKeys;
        this.log = log;
        this.process = process;
    }

    /** Starts sshd letting in the holder of the private key whose public half is {@code authorizedKey}. */
    static PrivateSshd start(Path dir, Path authorizedKey) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path hostKey = keygen(dir.resolve("ssh_host_ed25519_key"), "");
        Path authorizedKeys = Files.copy(authorizedKey, dir.resolve("authorized_keys"));
        Path pidFile = dir.resolve("sshd.pid");
        Path log = dir.resolve("sshd.log");
        // sshd's privilege separation directory; Debian's init script creates it, nothing has here.
        Files.createDirectories(Path.of("/run/sshd"));
        int port = freePort();
        Path config = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + hostKey,
                "PidFile " + pidFile,
                "AuthorizedKeysFile " + authorizedKeys,
                "StrictModes no",
                "UsePAM no",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "AllowUsers " + System.getProperty("user.name"),
                "LogLevel VERBOSE",
                ""));
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-p", String.valueOf(port), "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrivateSshd sshd = new PrivateSshd(dir, port, hostKey, authorizedKeys, log, p);
        try {
            sshd.awaitListening();
        } catch (IOException | RuntimeException e) {
            sshd.close();
            throw e;
        }
        return sshd;
    }

    /** The line a known_hosts file needs to trust this server. */
    String knownHostsLine() throws IOException {
        String[] pub = Files.readString(Path.of(hostKey + ".pub")).strip().split(" ");
        return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1];
    }

    String url(Path repository) {
        return "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + repository.toAbsolutePath();
    }

    private void awaitListening() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("sshd exited " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("sshd did not listen on 127.0.0.1:" + port + " within 15 s: " + Files.readString(log));
    }

    /** An unencrypted (or, with a passphrase, encrypted) ed25519 key pair at {@code file} and {@code file}.pub. */
    static Path keygen(Path file, String passphrase) throws IOException, InterruptedException {
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "berth-test", "-f", file.toString()));
        return file;
    }

    /** The SHA256 fingerprint of a public key file, as ssh-keygen prints it ("SHA256:..."). */
    static String fingerprint(Path publicKey) throws IOException, InterruptedException {
        return run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", publicKey.toString())).split(" ")[1];
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(cmd + " failed: " + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops sshd and the per-connection processes it forked; waits until they are gone. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
        }
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
