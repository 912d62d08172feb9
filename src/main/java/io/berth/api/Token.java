package io.berth.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The API's bearer token: generated at first start into {@code STATE/token} (mode 0600), read on
 * later starts, compared in constant time. Immutable once loaded.
 */
public final class Token {

    private final byte[] value;

    private Token(String value) {
        this.value = value.getBytes(StandardCharsets.UTF_8);
    }

    public static Token loadOrCreate(Path stateDir) throws IOException {
        Path file = stateDir.resolve("token");
        Files.createDirectories(stateDir);
        if (Files.exists(file)) {
            String existing = Files.readString(file).strip();
            if (!existing.isEmpty()) {
                return new Token(existing);
            }
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        Path tmp = Files.createTempFile(stateDir, ".token", ".tmp",
                PosixFilePermissions.asFileAttribute(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
        Files.writeString(tmp, token + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Token(token);
    }

    /** Constant-time comparison of a presented token (null: no token presented). */
    boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(value, presented.getBytes(StandardCharsets.UTF_8));
    }
}
