package io.berth.stats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures under src/test/resources/cgroup: kernel files copied from real hosts. */
final class CgroupFixtures {

    private CgroupFixtures() {
    }

    static String text(String name) {
        try (InputStream in = CgroupFixtures.class.getResourceAsStream("/cgroup/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies fixture files into {@code dir} (created), each under its own file name. */
    static void install(Path dir, String version, String... files) {
        try {
            Files.createDirectories(dir);
            for (String f : files) {
                Files.writeString(dir.resolve(f), text(version + "/" + f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A mountinfo fixture whose mount points lie under {@code root}. */
    static CgroupLocator locator(String mountinfo, Path root, Path proc) {
        return CgroupLocator.parse(text(mountinfo).replace("ROOT", root.toString()), proc);
    }
}
