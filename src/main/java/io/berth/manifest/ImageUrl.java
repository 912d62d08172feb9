package io.berth.manifest;

/**
 * A VM base image named by where to fetch it and what it must hash to: {@code spec.disk.image:
 * {url, sha256}}. The URL is http, https or file; the digest is 64 lowercase hex digits, always
 * required, so what runs is exactly what the manifest names whatever the server sends. The
 * downloaded file is named by its digest ({@link #fileName()}), so the same content is fetched
 * once whatever URL names it. Immutable.
 */
public record ImageUrl(String url, String sha256) {

    /** The file name of the downloaded image in the image directory. */
    public String fileName() {
        return "sha256-" + sha256 + ".img";
    }
}
