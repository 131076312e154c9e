package dev.switchboard.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchboard connect URL}: a raw WebSocket console for trying the protocol by hand. Every line typed on
 * standard input is sent as one text frame; every frame received is printed as {@code < …}; the close code is
 * printed when the connection ends.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Open a raw WebSocket to a Switchboard endpoint: lines from stdin are sent as frames, "
                + "frames received are printed.",
                "Example: connect 'ws://127.0.0.1:7070/v1?key=pk_live_…'"})
final class ConnectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "URL", description = "Endpoint with its credential, e.g. ws://127.0.0.1:7070/v1?token=…")
    URI url;

    @Option(names = "--cacert", defaultValue = "${env:SWITCHBOARD_CACERT}", paramLabel = "PEM",
            description = "For wss://: trust the authorities in this PEM file instead of the system's, e.g. "
                    + ".switchboard/tls/ca.pem of `dev --tls` (env SWITCHBOARD_CACERT).")
    Path cacert;

    @Override
    public Integer call() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket socket;
        try {
            HttpClient.Builder client = HttpClient.newBuilder();
            if (cacert != null) {
                client.sslContext(TrustedAuthority.sslContext(cacert));
            }
            socket = client.build().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(url, new Printer(closed))
                    .get();
        } catch (java.io.IOException e) {
            System.err.println("switchboard: --cacert: " + e.getMessage());
            return 1;
        } catch (ExecutionException e) {
            System.err.println("switchboard: cannot connect to " + url.getScheme() + "://" + url.getAuthority()
                    + url.getPath() + ": " + e.getCause().getMessage());
            return 1;
        }
        Thread input = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && closed.getCount() > 0) {
                    if (!line.isBlank()) {
                        socket.sendText(line, true).join();
                    }
                }
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
            } catch (Exception e) {
                closed.countDown();
            }
        });
        closed.await();
        input.interrupt();
        return 0;
    }

    /** Prints inbound frames as they complete (fragments are joined). */
    private static final class Printer implements WebSocket.Listener {
        private final CountDownLatch closed;
        private final StringBuilder partial = new StringBuilder();

        Printer(CountDownLatch closed) {
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                System.out.println("< " + partial);
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            System.out.println("closed " + statusCode + (reason.isEmpty() ? "" : " " + reason));
            closed.countDown();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            System.out.println("connection lost: " + error.getMessage());
            closed.countDown();
        }
    }
}
