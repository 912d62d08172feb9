package io.berth.images;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens an image URL for reading from an offset: HTTP(S) with a {@code Range} request (the answer
 * says whether the server honoured it), redirects followed between http and https, and local files.
 * Every read is bounded by the read timeout, so a stalled server fails instead of hanging. Stateless;
 * thread-safe.
 */
final class Sources {

    static final int MAX_REDIRECTS = 5;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private Sources() {
    }

    /**
     * An open body.
     *
     * @param start  where it starts in the image: the offset asked, or 0 when the server sent it all
     * @param total  the image's whole size, -1 when the server did not say
     */
    record Body(long start, long total, InputStream in) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** An HTTP answer that is not the image; 4xx ones will not get better by asking again. */
    static final class HttpError extends IOException {
        final int code;

        HttpError(int code, String message) {
            super(message);
            this.code = code;
        }

        boolean permanent() {
            return code >= 400 && code < 500 && code != 408 && code != 429;
        }
    }

    static Body open(URI uri, long offset, Duration connect, Duration read) throws IOException {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("file") ? file(Path.of(uri.getPath()), offset) : http(uri, offset, connect, read);
    }

    private static Body file(Path path, long offset) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new HttpError(404, path + " is not a regular file");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        long size = ch.size();
        ch.position(Math.min(offset, size));
        return new Body(Math.min(offset, size), size, Channels.newInputStream(ch));
    }

    private static Body http(URI uri, long offset, Duration connect, Duration read) throws IOException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) connect.toMillis());
            c.setReadTimeout((int) read.toMillis());
            c.setRequestProperty("User-Agent", "berth");
            c.setRequestProperty("Accept-Encoding", "identity"); // the digest is of the file, not of a compressed body
            if (offset > 0) {
                c.setRequestProperty("Range", "bytes=" + offset + "-");
            }
            int code = c.getResponseCode();
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                String location = c.getHeaderField("Location");
                c.disconnect();
                if (location == null) {
                    throw new HttpError(code, "HTTP " + code + " without a Location from " + current);
                }
                current = current.resolve(location);
                String s = String.valueOf(current.getScheme()).toLowerCase(Locale.ROOT);
                if (!s.equals("http") && !s.equals("https")) {
                    throw new HttpError(400, current + " redirected to " + location + ", which is not http or https");
                }
                continue;
            }
            long length = c.getContentLengthLong();
            if (code == 200) {
                return new Body(0, length, c.getInputStream());
            }
            if (code == 206 && offset > 0) {
                Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
                if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                    c.disconnect();
                    throw new IOException("the server answered the range from " + offset + " with Content-Range "
                            + c.getHeaderField("Content-Range"));
                }
                long total = m.group(3).equals("*") ? (length < 0 ? -1 : offset + length) : Long.parseLong(m.group(3));
                return new Body(offset, total, c.getInputStream());
            }
            String message = "HTTP " + code + (c.getResponseMessage() == null ? "" : " " + c.getResponseMessage())
                    + " from " + current;
            c.disconnect();
            throw new HttpError(code, message);
        }
        throw new HttpError(400, uri + " redirected more than " + MAX_REDIRECTS + " times");
    }
}
