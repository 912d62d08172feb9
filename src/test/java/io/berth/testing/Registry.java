package io.berth.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real image registry for pull tests: Debian's {@code docker-registry} (the distribution
 * registry) serving on a free port of 127.0.0.1 from its own storage directory. Docker treats
 * registries on 127.0.0.0/8 as insecure by default, so plain HTTP needs no engine setting.
 */
public final class Registry implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final int port;

    public Registry(Path dir) throws IOException, InterruptedException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: "
                + dir.resolve("data") + "}\nhttp:\n  addr: 127.0.0.1:" + port + "\n");
        process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("docker-registry did not answer on 127.0.0.1:" + port + "; its log:\n"
                        + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(100);
        }
    }

    /** "127.0.0.1:PORT". */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** Tags the local {@code image} as {@code host()/repository} and pushes it; returns that reference. */
    public String push(String image, String repository) {
        String ref = host() + "/" + repository;
        Docker.ok("tag", image, ref);
        Processes.Result r = Processes.run(List.of("docker", "push", ref), Map.of(), null, Duration.ofMinutes(2));
        if (r.exit() != 0) {
            throw new AssertionError("docker push " + ref + " failed: " + r.out() + r.err());
        }
        return ref;
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(500);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
