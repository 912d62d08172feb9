package io.berth.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A base image's whole backing chain, as {@code qemu-img info} reports it, and the rule that
 * every element of it lies under the allowed image directories and is a regular file: a base
 * image inside the directories whose backing file is {@code /etc/shadow} (or a device, or an
 * {@code nbd://} URL) would otherwise hand QEMU what the path check refused. Checked when a
 * manifest is read (a validate/plan error at {@code spec.disk.image}) and again by the runtime
 * right before it clones (a file swapped in between is refused then).
 *
 * <p>The chain is walked one element at a time — {@code qemu-img info} opens only the file it is
 * given, never its backing files — and each element is checked before qemu-img is asked to open
 * it, so nothing outside the directories is ever opened. Reads files only; thread-safe.
 */
public final class ImageChain {

    /** Longer chains than this are refused: a loop, or not a base image anyone made on purpose. */
    static final int MAX_DEPTH = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One image of the chain.
     *
     * @param path        the file, absolute
     * @param backing     its backing file as qemu-img resolved it (absolute when it is a file), or null
     * @param virtualSize the guest-visible size in bytes
     */
    public record Element(Path path, String format, long virtualSize, String backing) {
    }

    /** qemu-img could not read an element; the message says which and why. */
    public static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    private ImageChain() {
    }

    /** One element from {@code qemu-img info --output=json FILE} (an object). */
    static Element parseOne(Path path, String json) throws IOException {
        return element(path, JSON.readTree(json));
    }

    /**
     * The elements of {@code qemu-img info --backing-chain --output=json FILE} (an array, the image
     * first). Each element's path is the previous one's resolved backing file.
     */
    public static List<Element> parseChain(Path image, String json) throws IOException {
        JsonNode array = JSON.readTree(json);
        if (!array.isArray()) {
            throw new IOException("not a qemu-img --backing-chain answer (expected a JSON array)");
        }
        List<Element> out = new ArrayList<>();
        Path next = image;
        for (JsonNode n : array) {
            Element e = element(next, n);
            out.add(e);
            next = e.backing() == null ? null : Path.of(e.backing());
        }
        return out;
    }

    private static Element element(Path path, JsonNode n) throws IOException {
        if (n == null || !n.has("format") || !n.has("virtual-size")) {
            throw new IOException("not a qemu-img info answer (no format or virtual-size)");
        }
        String backing = n.has("full-backing-filename") ? n.get("full-backing-filename").asText()
                : n.has("backing-filename") ? n.get("backing-filename").asText() : null;
        return new Element(path, n.get("format").asText(), n.get("virtual-size").asLong(), backing);
    }

    /**
     * Null when every element of the chain is allowed, else the first problem in words, naming the
     * offending element and what would be valid. {@code chain} is walked in order, as read.
     */
    public static String problem(HostPolicy policy, List<Element> chain) {
        for (int i = 0; i < chain.size(); i++) {
            String p = elementProblem(policy, chain.get(i).path().toString(), i, chain.getFirst().path());
            if (p != null) {
                return p;
            }
            String backing = chain.get(i).backing();
            if (backing != null && i == chain.size() - 1) {
                // The walk stopped at a backing file it did not read: say which.
                p = elementProblem(policy, backing, i + 1, chain.getFirst().path());
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Walks the chain of {@code image} with qemu-img, each element checked before it is opened:
     * null when it is all allowed, else the problem (a refused element, or one qemu-img cannot read).
     */
    public static String problem(HostPolicy policy, Path image) {
        try {
            walk(policy, image);
            return null;
        } catch (Unreadable e) {
            return e.getMessage();
        }
    }

    /** The whole chain of {@code image}, read one element at a time, each checked first (see the class comment). */
    public static List<Element> walk(HostPolicy policy, Path image) throws Unreadable {
        List<Element> chain = new ArrayList<>();
        String next = image.toString();
        while (next != null) {
            String p = elementProblem(policy, next, chain.size(), image);
            if (p != null) {
                throw new Unreadable(p);
            }
            if (chain.size() == MAX_DEPTH) {
                throw new Unreadable("the backing chain of " + image + " is longer than " + MAX_DEPTH + " images");
            }
            Element e = read(Path.of(next));
            chain.add(e);
            next = e.backing();
        }
        return chain;
    }

    private static String elementProblem(HostPolicy policy, String element, int index, Path image) {
        String which = index == 0 ? "the image " + element
                : "its backing file " + element + " (element " + (index + 1) + " of the chain of " + image + ")";
        String valid = " (valid: a base image whose whole backing chain is regular files under "
                + String.join(", ", policy.allowedDirs().stream().map(Path::toString).toList()) + ")";
        Path p;
        try {
            p = Path.of(element);
        } catch (RuntimeException e) {
            return which + " is not a file path" + valid;
        }
        if (!p.isAbsolute()) {
            return which + " is not an absolute file path" + valid;
        }
        String outside = policy.problem(element);
        if (outside != null) {
            return which + ": " + outside;
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
            return which + " does not exist on this host" + valid;
        }
        if (!Files.isRegularFile(p)) {
            return which + " is not a regular file" + valid;
        }
        return null;
    }

    /** {@code qemu-img info} of one file (without its backing files, which qemu-img info never opens). */
    static Element read(Path file) throws Unreadable {
        List<String> command = List.of("qemu-img", "info", "--output=json", "-U", file.toString());
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(false).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Unreadable("qemu-img info " + file + " did not finish within 60 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new Unreadable("qemu-img cannot read " + file + ": " + (err.isEmpty() ? "exit " + p.exitValue()
                        : err.lines().findFirst().orElse(err)));
            }
            return parseOne(file, out);
        } catch (IOException e) {
            throw new Unreadable("cannot run qemu-img info on " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreadable("interrupted while reading " + file);
        }
    }

    /** Whether qemu-img can be run at all on this host (a container-only host may lack it). */
    public static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "qemu-img"))) {
                return true;
            }
        }
        return false;
    }
}
