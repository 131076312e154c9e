package dev.switchboard.server.cli;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where and as whom the REST verbs call: {@code --url} (or {@code SWITCHBOARD_URL}) and {@code --key}
 * (or {@code SWITCHBOARD_KEY}). Accepts the origin in any of the forms operators copy around:
 * {@code http://host:port}, {@code ws://host:port}, with or without a trailing {@code /v1}.
 */
final class RestOptions {
    @Option(names = "--url", defaultValue = "${env:SWITCHBOARD_URL:-http://127.0.0.1:7070}", paramLabel = "URL",
            description = "Server origin, e.g. http://127.0.0.1:7070 (env SWITCHBOARD_URL; default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--key", defaultValue = "${env:SWITCHBOARD_KEY}", paramLabel = "SK_ID:SK_SECRET",
            description = "Secret key credential, sk_id_…:sk_secret_… (env SWITCHBOARD_KEY).")
    String key;

    @Option(names = "--cacert", defaultValue = "${env:SWITCHBOARD_CACERT}", paramLabel = "PEM",
            description = "For https://: trust the authorities in this PEM file instead of the system's, e.g. "
                    + ".switchboard/tls/ca.pem of `dev --tls` (env SWITCHBOARD_CACERT).")
    Path cacert;

    /** The REST base URI without a trailing slash, e.g. {@code http://127.0.0.1:7070}. */
    URI base() {
        String origin = url == null ? "" : url.strip();
        if (origin.startsWith("ws://")) {
            origin = "http://" + origin.substring("ws://".length());
        } else if (origin.startsWith("wss://")) {
            origin = "https://" + origin.substring("wss://".length());
        }
        while (origin.endsWith("/")) {
            origin = origin.substring(0, origin.length() - 1);
        }
        if (origin.endsWith("/v1")) {
            origin = origin.substring(0, origin.length() - "/v1".length());
        }
        URI uri;
        try {
            uri = URI.create(origin);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new UsageError("--url " + url + " is not a server origin; use e.g. http://127.0.0.1:7070");
        }
        return uri;
    }

    /** The {@code Authorization} header value, or a usage error saying where the credential comes from. */
    String authorization() {
        if (key == null || key.isBlank()) {
            throw new UsageError("no credential: pass --key SK_ID:SK_SECRET or set SWITCHBOARD_KEY "
                    + "(`switchboard dev` prints it as \"Secret key (REST)\")");
        }
        if (!key.startsWith("sk_id_") || key.indexOf(':') < 0) {
            throw new UsageError("--key must be SK_ID:SK_SECRET, e.g. sk_id_…:sk_secret_… "
                    + "(a publishable key or a key id alone is not accepted)");
        }
        return "Bearer " + key;
    }
}
