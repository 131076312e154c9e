package dev.switchboard.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import dev.switchboard.server.TrustedAuthority;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One REST call of a CLI verb: sends it, prints the JSON answer on stdout and returns the exit status — 0 for a
 * 2xx answer, 1 for a refusal (with a hint on stderr saying what to fix) or an unreachable server.
 */
final class RestCall {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private RestCall() {
    }

    static int run(String verb, RestOptions options, String method, String path, String jsonBody,
                   PrintWriter out, PrintWriter err) {
        URI base = options.base();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(TIMEOUT)
                .header("Authorization", options.authorization())
                .header("Accept", "application/json");
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        try {
            if (options.cacert != null) {
                builder.sslContext(TrustedAuthority.sslContext(options.cacert));
            }
        } catch (IOException e) {
            err.println("switchboard " + verb + ": --cacert: " + e.getMessage());
            return 1;
        }
        try (HttpClient client = builder.build()) {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            err.println("switchboard " + verb + ": cannot connect to " + base
                    + ": is the server running there? (check --url / SWITCHBOARD_URL)");
            return 1;
        } catch (javax.net.ssl.SSLHandshakeException e) {
            err.println("switchboard " + verb + ": the TLS handshake with " + base + " failed: " + e.getMessage()
                    + " (a certificate from `dev --tls` or a private CA? pass --cacert CA.pem or set SWITCHBOARD_CACERT)");
            return 1;
        } catch (IOException e) {
            err.println("switchboard " + verb + ": request to " + base + " failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        out.println(response.body());
        out.flush();
        int status = response.statusCode();
        if (status / 100 == 2) {
            return 0;
        }
        err.println("switchboard " + verb + ": HTTP " + status + hint(status));
        return 1;
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> ": the server refused the credential; --key must be SK_ID:SK_SECRET of an enabled "
                    + "secret key of the server's configuration";
            case 403 -> ": the key's channelPatterns or actions do not cover this request";
            case 404 -> ": no such endpoint; is --url the Switchboard origin (e.g. http://127.0.0.1:7070)?";
            case 413 -> ": the request body is over 32 KiB";
            case 429 -> ": rate limited or over the message quota; retry later";
            case 400 -> ": see the message above";
            default -> "";
        };
    }

    /** Percent-encodes one path segment (a channel or peer id), slashes included. */
    static String segment(String id) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
